"""Compiled conditions give the same answer as the plain meaning of all/any/none.

The compiler indexes the parts of a large `any` by the keyword lists they need and tests the keyword
lists of an `all` with one subset test; these tests compare that against a naive recursive evaluator
on random condition trees and random sets of found keyword lists.
"""

from __future__ import annotations

import random

import pytest

from webcare.services.routing.conditions import ConditionCompiler, Context
from webcare.services.routing.decision import RouteInput
from webcare.services.routing.text import read

WORDS = [f"w{i}" for i in range(8)]


def random_tree(rng: random.Random, depth: int = 0) -> dict:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        if rng.random() < 0.15:
            return {"platform": [rng.choice(["x", "facebook"])]}
        return {"words": rng.sample(WORDS, rng.randint(1, 2))}
    key = rng.choice(["all", "any", "any", "none"])
    return {key: [random_tree(rng, depth + 1) for _ in range(rng.randint(0 if key != "all" else 1, 5))]}


def naive(node: dict, found: set[str], platform: str) -> bool:
    if not node:
        return True
    ((key, value),) = node.items()
    if key == "all":
        return all(naive(child, found, platform) for child in value)
    if key == "any":
        return any(naive(child, found, platform) for child in value)
    if key == "none":
        return not any(naive(child, found, platform) for child in value)
    if key == "words":
        return any(word in found for word in value)
    return platform in value


def leaves_for(compiler: ConditionCompiler, found: set[str]) -> frozenset[int]:
    return frozenset(leaf for term, leaves in compiler.terms.items() if term.words in found for leaf in leaves)


@pytest.mark.parametrize("seed", range(40))
def test_compiled_conditions_match_their_meaning(seed):
    rng = random.Random(seed)
    tree = random_tree(rng)
    compiler = ConditionCompiler()
    check, gated = compiler.compile(tree)
    for _ in range(60):
        found = set(rng.sample(WORDS, rng.randint(0, len(WORDS))))
        platform = rng.choice(["x", "facebook", "mastodon"])
        ctx = Context(RouteInput(text="", platform=platform), read(""), leaves_for(compiler, found))
        expected = naive(tree, found, platform)
        assert bool(check(ctx)) == expected, (tree, found, platform)
        if gated and expected:
            assert ctx.leaves, "a gated condition passed without any keyword found"


def test_a_large_any_only_needs_the_parts_whose_keywords_were_found():
    compiler = ConditionCompiler()
    tree = {"any": [{"all": [{"words": [f"a{i}"]}, {"words": [f"b{i}"]}]} for i in range(50)]}
    check, gated = compiler.compile(tree)
    both = leaves_for(compiler, {"a7", "b7"})
    half = leaves_for(compiler, {"a7", "b8"})
    assert gated
    assert check(Context(RouteInput(text=""), read(""), both)) is True
    assert check(Context(RouteInput(text=""), read(""), half)) is False
