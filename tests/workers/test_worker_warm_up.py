"""An ingest worker compiles the routing rules and loads the SLA configuration at start-up, before it takes
its first batch."""

from __future__ import annotations

import dataclasses
import logging
import sys

from webcare.runtime import build_runtime
from webcare.services import config_version, seed, sla_cache
from webcare.services.routing import store
from workers.__main__ import warm_up


def test_the_rules_are_compiled_before_the_first_batch(runtime):
    with runtime.transaction() as session:
        seed.seed_defaults(session)
    config_version._kept.clear()

    warm_up(runtime)

    with runtime.transaction() as session:
        stamp = config_version.read(session)
        kept = {name: value for (_, name), value in config_version._kept.items()}
        (routing_stamp, ruleset), (sla_stamp, sla_config) = kept["routing"], kept["sla"]
        assert routing_stamp == sla_stamp == stamp and ruleset.rules and sla_config.policy()["id"]
        assert store.current_ruleset(session) is ruleset  # the first batch uses them, no second load
        assert sla_cache.cache(session) is sla_config


def test_a_database_that_is_not_there_leaves_it_to_the_first_batch(settings, caplog, tmp_path):
    missing = build_runtime(dataclasses.replace(
        settings, database_url=f"sqlite:///{tmp_path / 'no-such-folder' / 'webcare.db'}"))
    try:
        with caplog.at_level(logging.WARNING, logger="workers.__main__"):
            warm_up(missing)  # no exception: the worker starts and listens
    finally:
        missing.dispose()
    assert "routing rules not compiled at start-up" in caplog.text


def test_the_adapters_of_enabled_channels_are_imported_before_the_first_batch(runtime, monkeypatch):
    import webcare.platforms
    from webcare.services import channels

    with runtime.transaction() as session:
        seed.seed_defaults(session)
        channels.create_channel(session, platform="mastodon", name="Mastodon", base_url="https://social.example",
                                token="unused")
    for name in ("mastodon", "x"):  # as if this process had not imported them yet (restored afterwards)
        monkeypatch.delitem(sys.modules, f"webcare.platforms.{name}", raising=False)
        monkeypatch.delattr(webcare.platforms, name, raising=False)

    warm_up(runtime)

    assert "webcare.platforms.mastodon" in sys.modules
    assert "webcare.platforms.x" not in sys.modules  # no X channel: not imported


def test_an_adapter_that_cannot_be_imported_does_not_stop_the_worker(runtime, monkeypatch, caplog):
    import webcare.platforms
    from webcare.services import channels

    with runtime.transaction() as session:
        seed.seed_defaults(session)
        channels.create_channel(session, platform="mastodon", name="Mastodon", base_url="https://social.example",
                                token="unused")

    def broken(platform):
        raise ImportError("No module named 'mastodon'")

    monkeypatch.setattr(webcare.platforms, "adapter_class", broken)
    with caplog.at_level(logging.WARNING, logger="workers.__main__"):
        warm_up(runtime)
    assert "the mastodon adapter could not be imported at start-up" in caplog.text
