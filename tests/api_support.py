"""Shared by the REST API tests (this module holds no tests): the OpenAPI document as a contract, and a client
that checks every answer — and every request it sends on purpose — against that document.

Each call names the operation by its documented path template and method (`"/runs/{run_id}"`, "GET"), so a
test can only reach what the document describes, and the status and JSON body it gets must be one the document
lists for that operation. Schemas are checked with the Draft 2020-12 validator (the dialect of OpenAPI 3.1), with
`$ref`s resolved inside the document through a `referencing.Registry`.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from tornado.httpclient import HTTPResponse

DOCUMENT = Path(__file__).resolve().parents[1] / "api" / "openapi.yaml"
URI = "urn:jupyter-mlext:openapi"
PREFIX = "/mlext/api"


@functools.cache
def document() -> dict[str, Any]:
    return yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))


@functools.cache
def registry() -> Registry:
    return Registry().with_resource(URI, Resource.from_contents(document(), default_specification=DRAFT202012))


def pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A response or parameter object, following its `$ref` into `components` if it has one."""
    while "$ref" in node:
        node = registry().resolver(URI).lookup(URI + node["$ref"]).contents
    return node


def operation(template: str, method: str) -> dict[str, Any]:
    paths = document()["paths"]
    assert template in paths, f"{template} is not documented"
    assert method.lower() in paths[template], f"{method} {template} is not documented"
    return paths[template][method.lower()]


def validate(schema_pointer: str, instance: Any) -> None:
    """Check `instance` against the schema at `schema_pointer` (a JSON pointer into the document)."""
    validator = Draft202012Validator({"$ref": f"{URI}#/{schema_pointer}"}, registry=registry())
    errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
    assert not errors, f"{schema_pointer}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5]
    )


def check_response(template: str, method: str, response: HTTPResponse) -> Any:
    """The answer's JSON (or None), after checking its status and body against the document."""
    responses = operation(template, method)["responses"]
    status = str(response.code)
    assert status in responses, f"{method} {template} answered {status}, which is not documented: {response.body!r}"
    documented = resolve(responses[status])
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    content = documented.get("content", {})
    if not content:
        assert not response.body, f"{method} {template} {status} should have no body"
        return None
    if media == "application/json" and media in content:
        body = json.loads(response.body)
        if "$ref" in responses[status]:
            location = pointer(*responses[status]["$ref"].lstrip("#/").split("/"))
        else:
            location = pointer("paths", template, method.lower(), "responses", status)
        validate(f"{location}/content/{pointer('application/json')}/schema", body)
        return body
    assert media in content or "*/*" in content, f"{method} {template} {status} answered undocumented {media}"
    return None


@dataclass
class Reply:
    code: int
    headers: Any
    body: bytes
    json: Any


class Api:
    """Requests to the test server's API, with the token, each answer checked against the document."""

    def __init__(self, client: Any, base_url: str, auth_header: dict[str, str]) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.auth_header = auth_header

    def url(self, template: str, query: dict[str, Any] | None = None, **params: str) -> str:
        path = template
        for name, value in params.items():
            path = path.replace("{" + name + "}", quote(value, safe="/" if name == "path" else ""))
        assert "{" not in path, f"parameters missing for {template}"
        return self.base_url + PREFIX + path + (f"?{urlencode(query, doseq=True)}" if query else "")

    async def call(
        self,
        method: str,
        template: str,
        *,
        expect: int,
        query: dict[str, Any] | None = None,
        json_body: Any = None,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
        **params: str,
    ) -> Reply:
        """One request; `json_body` sent to a call expected to succeed is first checked against the document's
        request schema, so the documented request shapes are the ones that work."""
        body = raw
        if json_body is not None:
            body = json_body if isinstance(json_body, bytes) else json.dumps(json_body).encode()
            request_body = operation(template, method).get("requestBody")
            if expect < 300 and request_body and not isinstance(json_body, bytes):
                validate(
                    pointer("paths", template, method.lower(), "requestBody", "content", "application/json", "schema"),
                    json_body,
                )
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = b""
        response = await self.client.fetch(
            self.url(template, query, **params),
            method=method,
            body=body,
            headers={**self.auth_header, **(headers or {})},
            request_timeout=30,
            raise_error=False,
        )
        assert response.code == expect, f"{method} {template}: {response.code} {response.body[:500]!r}"
        parsed = check_response(template, method, response)
        return Reply(response.code, response.headers, response.body or b"", parsed)

    async def get(self, template: str, *, expect: int = 200, **kwargs: Any) -> Any:
        return (await self.call("GET", template, expect=expect, **kwargs)).json

    async def post(self, template: str, body: Any = None, *, expect: int = 200, **kwargs: Any) -> Any:
        return (await self.call("POST", template, expect=expect, json_body=body, **kwargs)).json

    async def patch(self, template: str, body: Any, *, expect: int = 200, **kwargs: Any) -> Any:
        return (await self.call("PATCH", template, expect=expect, json_body=body, **kwargs)).json


def make_api(http_server_client: Any, jp_base_url: str, jp_auth_header: dict[str, str]) -> Api:
    return Api(http_server_client, jp_base_url, jp_auth_header)
