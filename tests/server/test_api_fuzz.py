"""The API answers what api/openapi.yaml says, whatever a client sends: schemathesis generates requests for every
operation of the document (valid ones and, for each, broken ones) against a live `mlext server`, and every answer
must be no server error, a status the document lists for the operation, and a body matching that status's schema.

The number of examples per operation is bounded (FUZZ_EXAMPLES, default 25) so that the suite stays minutes long;
run with FUZZ_EXAMPLES=500 for a deeper search.
"""

from __future__ import annotations

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from mlext_server import TOKEN, Server
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from jupyter_mlext.wire.contract import spec_path

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
HEADERS = {"Authorization": f"token {TOKEN}"}

schema = schemathesis.openapi.from_path(spec_path())


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    (root / "project").mkdir()
    shutil.copy(spec_path(), root / "project" / "some-file.yaml")
    (root / "project" / "train.py").write_text("print('trained')\n")
    server = Server(root / "ws", root)
    server.request("POST", "/experiments/fuzz/runs", {"name": "seed"})
    yield server
    server.stop()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_every_operation_answers_as_documented(case, live):
    case.call_and_validate(
        base_url=f"{live.url}/mlext/api",
        headers=HEADERS,
        timeout=30,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
