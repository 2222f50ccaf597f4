"""Who may call the API: no request without credentials gets through, a browser session (login cookie) must send
its XSRF token on anything but a GET, and the server's authorizer decides per action on the `mlext` resource."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from api_support import PREFIX, document, make_api
from jupyter_server.auth.authorizer import Authorizer
from tornado import web

from jupyter_mlext.server.routes import ROUTES


class LimitedAuthorizer(Authorizer):
    """Grants every action on `mlext` except those a test puts in `denied`."""

    denied: set[str] = set()

    def is_authorized(self, handler, user, action, resource) -> bool:
        return not (resource == "mlext" and action in self.denied)


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config, "ServerApp": {**jp_server_config["ServerApp"], "authorizer_class": LimitedAuthorizer}}


@pytest.fixture
def api(jp_serverapp, http_server_client, jp_base_url, jp_auth_header):
    return make_api(http_server_client, jp_base_url, jp_auth_header)


def example_url(template: str) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: "0123456789abcdef0123456789abcdef" if m.group(1) == "run_id" else "x", template
    )


async def test_every_operation_refuses_a_request_without_credentials(jp_serverapp, http_server_client, jp_base_url, ws):
    run_id = ws.tracking.create_run("secret").id
    refused = []
    for template, operations in document()["paths"].items():
        for method in operations:
            if method not in ("get", "post", "put", "patch", "delete") or template == "/events":
                continue
            url = f"{jp_base_url.rstrip('/')}{PREFIX}{example_url(template)}".replace(
                "0123456789abcdef0123456789abcdef", run_id
            )
            body = b'{"name": "intruder", "script": "x.py"}' if method in ("post", "put", "patch") else None
            response = await http_server_client.fetch(
                url, method=method.upper(), body=body, raise_error=False, follow_redirects=False
            )
            refused.append(response.code)
            assert response.code in (401, 403), f"{method.upper()} {template} answered {response.code}"
            assert b"secret" not in response.body
    served = sum(
        getattr(handler, method) is not getattr(web.RequestHandler, method)
        for _, handler in ROUTES
        for method in ("get", "post", "put", "patch", "delete")
    )
    assert len(refused) == served  # every operation the server serves was tried
    assert [e.name for e in ws.tracking.list_experiments()] == ["secret"]  # nothing was created
    assert [t.name for t in ws.compute.list_targets()] == ["local"]


async def login(http_server_client, base_url: str, token: str) -> dict[str, str]:
    """Log in through the server's login form with the token, as a browser does: the cookies it ends up with."""
    page = await http_server_client.fetch(f"{base_url}login", raise_error=False)
    cookies = SimpleCookie()
    for header in page.headers.get_list("Set-Cookie"):
        cookies.load(header)
    xsrf = cookies["_xsrf"].value
    answer = await http_server_client.fetch(
        f"{base_url}login",
        method="POST",
        body=urlencode({"_xsrf": xsrf, "password": token}),
        headers={"Cookie": f"_xsrf={xsrf}"},
        follow_redirects=False,
        raise_error=False,
    )
    assert answer.code == 302, answer.body
    for header in answer.headers.get_list("Set-Cookie"):
        cookies.load(header)
    return {name: morsel.value for name, morsel in cookies.items() if morsel.value}


async def test_a_browser_session_must_send_its_xsrf_token_to_change_anything(
    jp_serverapp, http_server_client, jp_base_url, ws
):
    cookies = await login(http_server_client, jp_base_url, jp_serverapp.identity_provider.token)
    assert any(name.startswith("username-") for name in cookies)
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    url = f"{jp_base_url.rstrip('/')}{PREFIX}"

    read = await http_server_client.fetch(f"{url}/compute", headers={"Cookie": cookie_header})
    assert read.code == 200  # the cookie alone authenticates a GET
    body = json.dumps({"name": "forged"})
    forged = await http_server_client.fetch(
        f"{url}/compute", method="POST", body=body, headers={"Cookie": cookie_header}, raise_error=False
    )
    assert forged.code == 403 and "xsrf" in json.loads(forged.body)["error"].lower()
    upload = await http_server_client.fetch(
        f"{url}/runs/{ws.tracking.create_run('e').id}/artifacts/x.txt",
        method="PUT",
        body=b"forged",
        headers={"Cookie": cookie_header},
        raise_error=False,
    )
    assert upload.code == 403
    assert [t.name for t in ws.compute.list_targets()] == ["local"]

    with_token = await http_server_client.fetch(
        f"{url}/compute",
        method="POST",
        body=body,
        headers={"Cookie": cookie_header, "X-XSRFToken": cookies["_xsrf"]},
        raise_error=False,
    )
    assert with_token.code == 201, with_token.body
    assert [t.name for t in ws.compute.list_targets()] == ["forged", "local"]


async def test_the_authorizer_decides_reads_writes_and_executions_separately(api, ws, jp_root_dir, monkeypatch):
    (jp_root_dir / "train.py").write_text("print('hi')\n")
    run_id = ws.tracking.create_run("e").id

    monkeypatch.setattr(LimitedAuthorizer, "denied", {"execute"})
    refused = await api.post("/runs", {"script": "train.py"}, expect=403)
    assert "execute" in refused["error"]
    await api.post("/runs/{run_id}/tags", {"tags": {"a": 1}}, expect=204, run_id=run_id)  # writing is allowed

    monkeypatch.setattr(LimitedAuthorizer, "denied", {"write", "execute"})
    assert (await api.get("/runs/{run_id}", run_id=run_id))["tags"] == {"a": "1"}
    await api.post("/runs/{run_id}/tags", {"tags": {"a": 2}}, expect=403, run_id=run_id)
    upload = await api.call(
        "PUT", "/runs/{run_id}/artifacts/{path}", expect=403, raw=b"x" * 100_000, run_id=run_id, path="x.bin"
    )
    assert "write" in upload.json["error"]
    await api.call("DELETE", "/compute/{name}", expect=403, name="local")

    assert ws.tracking.get_run(run_id).tags == {"a": "1"} and ws.tracking.list_artifacts(run_id) == []
    assert not ws.paths.run_artifacts(run_id).exists() or not any(ws.paths.run_artifacts(run_id).iterdir())
    assert len(ws.tracking.search_runs().runs) == 1  # the refused submission created no run
    monkeypatch.setattr(LimitedAuthorizer, "denied", {"read"})
    assert (await api.get("/experiments", expect=403))["error"]
