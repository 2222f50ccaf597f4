"""api/openapi.yaml is the contract: it describes exactly the routes and methods the server serves under
/mlext/api (the MLflow-compatible routes under /mlext/mlflow follow MLflow's protocol, tested with the real
client in tests/mlflow_compat/), its schemas are valid JSON Schema 2020-12, every `$ref` resolves, and what
matches no route is a JSON 404."""

from __future__ import annotations

import json
import re

import pytest
from api_support import PREFIX, URI, document, make_api, registry
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable
from tornado import web

from jupyter_mlext.server.handlers.workspace import UnknownRouteHandler
from jupyter_mlext.server.mlflow.routes import PREFIX as MLFLOW_PREFIX
from jupyter_mlext.server.routes import ROUTES, pattern

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


def served_routes(serverapp) -> dict[str, set[str]]:
    """What the running extension registered under the API prefix, as documented templates → methods."""
    (extension,) = serverapp.extension_manager.extension_apps["jupyter_mlext"]
    templates = {pattern(template): template for template, _ in ROUTES}
    served = {}
    for regex, handler, *_ in extension.handlers:
        if handler is UnknownRouteHandler or regex.startswith(MLFLOW_PREFIX):
            continue
        assert regex.startswith(PREFIX), regex
        relative = regex[len(PREFIX) :]
        template = templates.get(relative, relative)
        assert "(" not in template, f"{regex} is not in the route table"
        served[template] = {m for m in METHODS if getattr(handler, m) is not getattr(web.RequestHandler, m)}
    return served


def test_every_served_route_and_method_is_documented_and_nothing_else(jp_serverapp):
    served = served_routes(jp_serverapp)
    documented = {path: {m for m in operations if m in METHODS} for path, operations in document()["paths"].items()}
    assert "/events" in served and "/runs/{run_id}/artifacts/{path}" in served
    assert served == documented


def test_the_document_is_openapi_3_1_with_valid_schemas_and_resolvable_refs():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    text = json.dumps(spec)
    resolver = registry().resolver(URI)
    for ref in set(re.findall(r'"\$ref": "(#[^"]+)"', text)):
        try:
            resolver.lookup(URI + ref)
        except Unresolvable:
            pytest.fail(f"{ref} does not resolve")
    operation_ids = [op["operationId"] for ops in spec["paths"].values() for m, op in ops.items() if m in METHODS]
    assert len(operation_ids) == len(set(operation_ids))
    for path, operations in spec["paths"].items():
        declared = {
            resolved["name"]
            for p in operations.get("parameters", [])
            for resolved in [resolver.lookup(URI + p["$ref"]).contents if "$ref" in p else p]
        }
        assert set(re.findall(r"\{(\w+)\}", path)) == declared, path
        for method, op in operations.items():
            if method in METHODS:
                assert "403" in op["responses"], f"{method} {path} does not document refusals"


async def test_what_matches_no_route_is_a_json_404(http_server_client, jp_base_url, jp_auth_header):
    for method, path in (("GET", "/nothing"), ("POST", "/runs/abcd/unknown"), ("DELETE", "/experiments")):
        response = await http_server_client.fetch(
            f"{jp_base_url.rstrip('/')}{PREFIX}{path}",
            method=method,
            headers=jp_auth_header,
            body=b"" if method == "POST" else None,
            raise_error=False,
        )
        body = json.loads(response.body)
        if path == "/experiments":  # a known route, a method it does not serve
            assert response.code == 405 and body["error"]
        else:
            assert response.code == 404 and body["field"] == "path" and path in body["error"]


async def test_health_names_the_workspace_as_documented(
    jp_serverapp, http_server_client, jp_base_url, jp_auth_header, workspace, ws
):
    ws.tracking.create_run("one")
    api = make_api(http_server_client, jp_base_url, jp_auth_header)
    health = await api.get("/health")
    assert health["status"] == "ok" and health["workspace"] == str(workspace.resolve())
    assert health["experiments"] == 1
