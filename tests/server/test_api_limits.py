"""The input boundary (entities/limits.py): whatever a client sends, the answer is a 4xx JSON error naming the field
and the limit, never a 500, and nothing is stored. The general checks (size, nesting, lone surrogates, list
length) run for every operation that takes a JSON body, so the test sends them to every such operation of
api/openapi.yaml; the field checks (names, values, free text, filters, paths, the events cursor) are tried where
each applies."""

from __future__ import annotations

import asyncio
import getpass
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
import websockets
from api_support import document
from mlext_server import TOKEN, Server

from jupyter_mlext.entities.limits import (
    MAX_BODY_BYTES,
    MAX_FILTER_CONDITIONS,
    MAX_FILTER_NESTING,
    MAX_JSON_DEPTH,
    MAX_LIST_ITEMS,
    MAX_NAME_LENGTH,
    MAX_PATH_LENGTH,
    MAX_QUERY_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_VALUE_BYTES,
)


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    server = Server(root / "ws", root)
    yield server
    server.stop()


def send(live: Server, method: str, path: str, raw: bytes | None = None, **headers: str) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{live.url}/mlext/api{path}",
        data=raw,
        method=method,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return response.status, json.loads(body) if body else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def post(live: Server, path: str, body: Any) -> tuple[int, Any]:
    return send(live, "POST", path, json.dumps(body).encode())


def json_operations() -> list[tuple[str, str]]:
    """Every (method, URL) whose operation takes a JSON body, path parameters filled in."""
    found = []
    for template, item in document()["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), template.replace("{", "").replace("}", "")))
    return found


OPERATIONS = json_operations()


def test_the_document_has_operations_with_json_bodies():
    assert len(OPERATIONS) >= 15


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_json_operation_refuses_what_no_body_may_hold(live, method, path):
    deep = ("[" * 1000 + "]" * 1000).encode()
    status, body = send(live, method, path, b'{"x": ' + deep + b"}")
    assert status == 400 and body["field"] in ("x", "body") and f"deeper than {MAX_JSON_DEPTH}" in body["error"]

    one_too_deep = b'{"x": ' + b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH + b"}"
    status, body = send(live, method, path, one_too_deep)
    assert status == 400 and body["field"] == "x" and f"deeper than {MAX_JSON_DEPTH}" in body["error"]

    status, body = send(live, method, path, b'{"name": "a\\ud800b"}')
    assert status == 400 and body["field"] == "name" and "surrogate" in body["error"]

    status, body = send(live, method, path, b'{"\\udfff": 1}')
    assert status == 400 and "surrogate" in body["error"]

    status, body = send(live, method, path, b'{"tags": {"k": "\\ud83d"}}')
    assert status == 400 and body["field"] == "tags.k"

    status, body = send(live, method, path, b'{"points": ' + json.dumps([0] * (MAX_LIST_ITEMS + 1)).encode() + b"}")
    assert status == 413 and body["field"] == "points" and str(MAX_LIST_ITEMS) in body["error"]

    status, body = send(live, method, path, b"\xff\xfe not utf-8")
    assert status == 400 and body["field"] == "body"


def test_a_body_over_the_size_limit_is_413(live):
    status, body = send(live, "POST", "/experiments/big/runs", b" " * (MAX_BODY_BYTES + 1))
    assert status == 413 and body["field"] == "body" and str(MAX_BODY_BYTES) in body["error"]


def test_free_text_of_a_run_is_limited_and_nothing_is_stored(live):
    listing = "/runs?" + urllib.parse.urlencode({"filter": "experiment = 'texts'"})
    before = live.get_json(listing)["runs"]
    for field in ("source_name", "source_type", "user", "git_commit"):
        status, body = post(live, "/experiments/texts/runs", {field: "x" * (MAX_TEXT_LENGTH + 1)})
        assert status == 400 and body["field"] == field and str(MAX_TEXT_LENGTH) in body["error"], body
        status, body = post(live, "/experiments/texts/runs", {field: "a\x00b"})
        assert status == 400 and body["field"] == field and "NUL" in body["error"]
    status, body = post(live, "/experiments/texts/runs", {"name": "n" * (MAX_NAME_LENGTH + 1)})
    assert status == 400 and body["field"] == "name"
    assert live.get_json(listing)["runs"] == before


def test_tag_and_param_keys_and_values_are_checked(live):
    status, run = post(live, "/experiments/tags/runs", {"name": "tagged"})
    assert status == 201
    cases = [
        ({"tags": {"k": "v" * (MAX_VALUE_BYTES + 1)}}, "tags.k", str(MAX_VALUE_BYTES)),
        ({"tags": {"k": "a\x00b"}}, "tags.k", "NUL"),
        ({"tags": {"bad\x1b[31mkey": "v"}}, "tags key", "control characters"),
        ({"tags": {"new\nline": "v"}}, "tags key", "control characters"),
    ]
    for body, field, words in cases:
        status, error = post(live, f"/runs/{run['id']}/tags", body)
        assert status == 400 and error["field"] == field and words in error["error"], error
    status, error = post(live, f"/runs/{run['id']}/params", {"params": {"p": "é" * MAX_VALUE_BYTES}})
    assert status == 400 and error["field"] == "params.p" and "bytes" in error["error"]
    assert live.get_json(f"/runs/{run['id']}")["tags"] == {} and live.get_json(f"/runs/{run['id']}")["params"] == {}
    status, _ = post(live, f"/runs/{run['id']}/tags", {"tags": {"note": "two\nlines"}})
    assert status == 204  # a value may hold line breaks; only names and keys may not


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("not " * (MAX_FILTER_NESTING + 1) + "metrics.a > 1", "nests more than"),
        ("(" * 300 + "metrics.a > 1" + ")" * 300, "nests more than"),
        (" or ".join(["metrics.a > 1"] * 300), f"more than {MAX_FILTER_CONDITIONS} comparisons"),
        ("params.x in (" + ", ".join(["1"] * 1500) + ")", "at most 1000 values"),
        ("name = '" + "x" * MAX_QUERY_LENGTH + "'", "limit"),
    ],
)
def test_oversized_filters_are_refused_naming_the_filter(live, text, words):
    status, body = send(live, "GET", "/runs?" + urllib.parse.urlencode({"filter": text}))
    assert status == 400 and body["field"] == "filter" and words in body["error"], body


def test_the_largest_allowed_filter_still_runs(live):
    text = " or ".join(["metrics.a > 1"] * MAX_FILTER_CONDITIONS)
    assert send(live, "GET", "/runs?" + urllib.parse.urlencode({"filter": text}))[0] == 200
    nested = "(" * (MAX_FILTER_NESTING - 1) + "metrics.a > 1" + ")" * (MAX_FILTER_NESTING - 1)
    assert send(live, "GET", "/runs?" + urllib.parse.urlencode({"filter": nested}))[0] == 200


def test_over_long_paths_are_400_not_500(live):
    _, run = post(live, "/experiments/paths/runs", {"name": "paths"})
    status, body = send(live, "GET", f"/runs/{run['id']}/artifacts/" + "a" * 10_000)
    assert status == 400 and str(MAX_PATH_LENGTH) in body["error"]
    status, body = send(live, "GET", f"/runs/{run['id']}/artifacts/" + "/".join(["b" * 300] * 3))
    assert status == 400 and "255 bytes" in body["error"]
    status, body = send(live, "GET", "/models/" + "m" * (MAX_PATH_LENGTH + 1) + "/versions")
    assert status == 400 and str(MAX_PATH_LENGTH) in body["error"]


def test_an_events_cursor_sqlite_cannot_hold_is_refused_at_the_handshake(live):
    async def connect(cursor: str) -> int:
        url = f"ws://127.0.0.1:{live.port}/mlext/api/events?cursor={cursor}&token={TOKEN}"
        try:
            async with websockets.connect(url):
                return 101
        except websockets.exceptions.InvalidStatus as refused:
            return refused.response.status_code

    assert asyncio.run(connect(str(2**70))) == 400
    assert asyncio.run(connect("-5")) == 400
    assert asyncio.run(connect("soon")) == 400
    assert asyncio.run(connect("0")) == 101


def test_one_token_is_one_user(live):
    users = {post(live, "/experiments/who/runs", {"name": f"r{i}"})[1]["user"] for i in range(5)}
    assert users == {getpass.getuser()}  # the account the server runs as, as the SDK records it


@pytest.mark.parametrize(
    ("path", "field", "value"),
    [
        ("/runs", "script", "a" * 100_000),
        ("/runs", "script", "a/" * 40_000 + "train.py"),
        ("/runs", "script", "n" * 300 + "/train.py"),
        ("/pipelines/export", "notebook", "a" * 100_000),
        ("/pipelines/export", "notebook", "x" * 256 + ".ipynb"),
    ],
)
def test_over_long_paths_in_bodies_name_their_field(live, path, field, value):
    status, body = post(live, path, {field: value})
    assert status == 400 and body["field"] == field and ("limit" in body["error"] or "255 bytes" in body["error"])


def test_a_method_a_route_does_not_answer_is_405_with_allow(live):
    status, body = send(live, "DELETE", "/experiments")
    assert status == 405 and "error" in body
    request = urllib.request.Request(
        f"{live.url}/mlext/api/experiments", method="DELETE", headers={"Authorization": f"token {TOKEN}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.headers["Allow"] == "GET"
    request = urllib.request.Request(
        f"{live.url}/mlext/api/experiments/e/runs", method="PUT", headers={"Authorization": f"token {TOKEN}"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405 and set(refused.value.headers["Allow"].split(", ")) == {"POST"}
