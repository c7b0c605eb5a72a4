"""Declaring API endpoints once: the route, its schemas and its OpenAPI entry come from one decorator."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint
from marshmallow import Schema

from webcare import __version__
from webcare.schemas.common import ErrorSchema


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    response: Schema | None
    status: int
    body: Schema | None = None
    query: Schema | None = None
    errors: tuple[int, ...] = ()
    tags: tuple[str, ...] = field(default_factory=tuple)


OPERATIONS: list[Operation] = []


def endpoint(bp: Blueprint, path: str, method: str, *, summary: str, response: Schema | None = None,
             status: int = 200, body: Schema | None = None, query: Schema | None = None,
             errors: tuple[int, ...] = (), tag: str = "") -> Callable:
    """Register `view` on `bp` and describe it in the OpenAPI document."""

    def decorator(view: Callable) -> Callable:
        bp.add_url_rule(path, view_func=view, methods=[method])
        if not any(op.path == path and op.method == method for op in OPERATIONS):
            OPERATIONS.append(Operation(path, method.lower(), summary, response, status, body, query,
                                        (401, 429) + errors, (tag,) if tag else ()))
        return view

    return decorator


def build_openapi(prefix: str = "/api/v1") -> dict:
    spec = APISpec("Webcare API", __version__, "3.0.3", plugins=[MarshmallowPlugin()],
                   servers=[{"url": prefix}],
                   components={"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
                   security=[{"bearer": []}])
    spec.components.schema("Error", schema=ErrorSchema)
    for path, ops in _by_path().items():
        spec.path(path=_openapi_path(path), operations=ops)
    document = spec.to_dict()
    for schema in document["components"]["schemas"].values():
        _null_in_nullable_enums(schema)
    return document


def _null_in_nullable_enums(schema: dict) -> None:
    """OpenAPI 3.0 checks `enum` before `nullable`: a field that may be null lists null among its values
    (apispec adds it for `OneOf` validators, not for an `enum` given in a field's metadata)."""
    for prop in schema.get("properties", {}).values():
        if prop.get("nullable") and "enum" in prop and None not in prop["enum"]:
            prop["enum"] = [*prop["enum"], None]


def _by_path() -> dict[str, dict]:
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return paths


def _operation(op: Operation) -> dict:
    responses: dict = {str(op.status): {"description": "OK"}}
    if op.response is not None:
        responses[str(op.status)]["content"] = {"application/json": {"schema": op.response}}
    for code in op.errors:
        responses[str(code)] = {"description": "error",
                                "content": {"application/json": {"schema": "Error"}}}
    entry: dict = {"summary": op.summary, "responses": responses, "tags": list(op.tags)}
    params = [{"in": "path", "name": name, "required": True, "schema": {"type": kind}}
              for name, kind in _path_params(op.path)]
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    if params:
        entry["parameters"] = params
    if op.body is not None:
        entry["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    return entry


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _path_params(path: str) -> list[tuple[str, str]]:
    return [(name, "integer" if conv == "int" else "string") for conv, name in _PARAM.findall(path)]


def _openapi_path(path: str) -> str:
    return _PARAM.sub(lambda m: "{" + m.group(2) + "}", path)
