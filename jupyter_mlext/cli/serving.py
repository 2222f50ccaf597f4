"""`mlext deploy`, `mlext endpoints …` and `mlext batch-score`: online endpoints and batch scoring from a terminal.

mlext deploy ridge@production --script score.py --endpoint diabetes --deployment blue
mlext deploy ridge:4 --script score.py --endpoint diabetes --deployment green --traffic 10
mlext endpoints traffic diabetes blue=90 green=10
mlext endpoints show diabetes
mlext endpoints regenerate-key diabetes
mlext endpoints delete diabetes green
mlext batch-score ridge:4 --script score.py --inputs batches/ --experiment scoring
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..entities import Endpoint, InvalidInput
from ..sdk.context import user
from ..serving import batch, service
from .format import Output, key_values, table, time
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    """Add `deploy`, `batch-score` and the `endpoints` group to the parser built in main.py."""
    deploy = _top(groups, "deploy", _deploy, "serve a registered model version as a deployment of an endpoint")
    deploy.add_argument("model", metavar="MODEL", help="NAME:VERSION, NAME@ALIAS or NAME (latest)")
    deploy.add_argument("--script", required=True, metavar="FILE", help="scoring script with init() and run(data)")
    deploy.add_argument("--endpoint", required=True, metavar="NAME", help="created if it does not exist")
    deploy.add_argument("--deployment", default="default", metavar="NAME", help="(default: default)")
    deploy.add_argument(
        "--traffic",
        type=int,
        metavar="PERCENT",
        help="share for this deployment (default: 100 for an endpoint's first, else 0)",
    )
    deploy.add_argument("--source-dir", metavar="DIR", help="folder shipped with the script (default: its folder)")

    scoring = _top(groups, "batch-score", _batch_score, "submit a job that scores every file in a folder")
    scoring.add_argument("model", metavar="MODEL", help="NAME:VERSION, NAME@ALIAS or NAME (latest)")
    scoring.add_argument("--script", required=True, metavar="FILE", help="scoring script with init() and run(data)")
    scoring.add_argument("--inputs", required=True, metavar="DIR", help="folder of input files")
    scoring.add_argument("--source-dir", metavar="DIR", help="folder shipped with the script (default: its folder)")
    scoring.add_argument("--compute", default="local", metavar="TARGET")
    scoring.add_argument("--experiment", default=batch.DEFAULT_EXPERIMENT, metavar="NAME")
    scoring.add_argument("--name", metavar="NAME", help="display name of the run")

    endpoints = group(groups, "endpoints", "online endpoints and their deployments")
    command(endpoints, "list", _list, "endpoints with their URL, traffic split and deployments")
    show = command(endpoints, "show", _show, "one endpoint: URL, key, traffic, deployments and their state")
    show.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    regenerate = command(
        endpoints, "regenerate-key", _regenerate_key, "replace the endpoint's key; the old one is refused at once"
    )
    regenerate.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    traffic = command(endpoints, "traffic", _traffic, "set the split, e.g. blue=90 green=10 (adds up to 100)")
    traffic.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    traffic.add_argument(
        "split", metavar="DEPLOYMENT=PERCENT", nargs="+", help="the new split; deployments not named get 0"
    )
    delete = command(endpoints, "delete", _delete, "delete an endpoint, or one deployment of it")
    delete.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    delete.add_argument(
        "deployment", metavar="DEPLOYMENT", nargs="?", help="only this deployment (default: the whole endpoint)"
    )
    delete.add_argument(
        "--keep-endpoint",
        action="store_true",
        help="keep the endpoint (its URL and key) when its last deployment is deleted",
    )
    logs = command(endpoints, "logs", _logs, "the end of a deployment's log (scoring errors with their id)")
    logs.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    logs.add_argument("deployment", metavar="DEPLOYMENT", help="the deployment whose log to print")
    logs.add_argument("--lines", type=int, default=200, metavar="N")
    invoke = command(endpoints, "invoke", _invoke, "score a JSON request through the endpoint")
    invoke.add_argument("name", metavar="ENDPOINT", help="the endpoint")
    invoke.add_argument("--data", required=True, metavar="JSON", help="e.g. '{\"data\": [[1, 2]]}'")
    invoke.add_argument("--deployment", metavar="NAME", help="send it to this deployment, whatever the split")


def _top(groups: Any, name: str, function: Any, help: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = groups.add_parser(name, help=help, description=help)
    parser.add_argument("--workspace", metavar="PATH", default=argparse.SUPPRESS, help="workspace directory")
    parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    parser.set_defaults(command=function, creates_workspace=True)
    return parser


def _endpoint_text(endpoint: Endpoint, with_key: bool) -> str:
    lines = [f"endpoint:  {endpoint.name}", f"url:       {endpoint.scoring_url or '-'}"]
    if with_key:
        lines.append(f"key:       {endpoint.key}")
    lines += [f"traffic:   {_split(endpoint)}", f"metrics:   run {endpoint.run_id or '-'}", ""]
    rows = [
        [
            d.name,
            f"{d.model_name}:{d.model_version}",
            d.script,
            d.status.value,
            f"{d.traffic}%",
            str(d.port or "-"),
            str(d.pid or "-"),
            d.error or "",
        ]
        for d in endpoint.deployments
    ]
    lines.append(
        table([["DEPLOYMENT", "MODEL", "SCRIPT", "STATUS", "TRAFFIC", "PORT", "PID", "ERROR"], *rows], right={4, 5, 6})
        if rows
        else "no deployments"
    )
    return "\n".join(lines)


def _split(endpoint: Endpoint) -> str:
    return " ".join(f"{name}={share}" for name, share in endpoint.traffic.items()) or "none"


def _deploy(session: Session, args: argparse.Namespace) -> Output:
    print(
        f"deploying {args.model} as {args.endpoint}/{args.deployment}: starting its scoring process and waiting "
        f"until it is ready (its log: mlext endpoints logs {args.endpoint} {args.deployment})",
        file=sys.stderr,
        flush=True,
    )
    endpoint = service.deploy(
        session.workspace,
        args.model,
        args.script,
        endpoint=args.endpoint,
        deployment=args.deployment,
        traffic=args.traffic,
        source_dir=args.source_dir,
        user=user(),
    )
    return Output(
        endpoint.to_dict(),
        f"deployed {args.model} as {args.endpoint}/{args.deployment}\n\n" + _endpoint_text(endpoint, with_key=True),
    )


def _batch_score(session: Session, args: argparse.Namespace) -> Output:
    run = batch.batch_score(
        session.workspace,
        args.model,
        args.script,
        args.inputs,
        source_dir=args.source_dir,
        compute=args.compute,
        experiment=args.experiment,
        name=args.name,
        user=user(),
    )
    return Output(
        run.to_dict(),
        f"queued batch scoring run {run.id} on {run.compute} (follow it with: mlext runs logs {run.id[:8]} --follow)",
    )


def _list(session: Session, args: argparse.Namespace) -> Output:
    endpoints = service.list_endpoints(session.workspace)
    rows = [
        [
            e.name,
            e.scoring_url or "-",
            _split(e),
            ",".join(f"{d.name}:{d.status.value}" for d in e.deployments) or "-",
            time(e.created_at),
        ]
        for e in endpoints
    ]
    return Output(
        {"endpoints": [e.public_dict() for e in endpoints]},
        table([["ENDPOINT", "URL", "TRAFFIC", "DEPLOYMENTS", "CREATED"], *rows]),
    )


def _show(session: Session, args: argparse.Namespace) -> Output:
    endpoint = service.get_endpoint(session.workspace, args.name)
    return Output(endpoint.to_dict(), _endpoint_text(endpoint, with_key=True))


def _regenerate_key(session: Session, args: argparse.Namespace) -> Output:
    key = service.regenerate_key(session.workspace, args.name)
    return Output({"endpoint": args.name, "key": key}, f"new key of {args.name}: {key}\n(the old key is refused now)")


def _traffic(session: Session, args: argparse.Namespace) -> Output:
    split = {}
    for name, share in key_values(args.split, "traffic").items():
        if not (share.isascii() and share.isdigit()):  # isdigit alone takes '²', which int() refuses
            raise InvalidInput(f"traffic of {name!r} must be a whole percentage, got {share!r}", field="traffic")
        split[name] = int(share)
    endpoint = service.set_traffic(session.workspace, args.name, split)
    return Output(endpoint.to_dict(), f"{endpoint.name} traffic: {_split(endpoint)}")


def _delete(session: Session, args: argparse.Namespace) -> Output:
    if args.deployment:
        gone = service.delete_deployment(session.workspace, args.name, args.deployment, args.keep_endpoint)
        text = f"deleted deployment {args.deployment}" + (
            f" and endpoint {args.name}, which had no other (--keep-endpoint keeps it)" if gone else ""
        )
        return Output({"deleted": f"{args.name}/{args.deployment}", "endpoint_deleted": gone}, text)
    service.delete_endpoint(session.workspace, args.name)
    return Output({"deleted": args.name}, f"deleted endpoint {args.name}")


def _logs(session: Session, args: argparse.Namespace) -> Output:
    text = service.deployment_log(session.workspace, args.name, args.deployment, args.lines)
    return Output({"log": text}, text)


def _invoke(session: Session, args: argparse.Namespace) -> Output:
    try:
        data = json.loads(args.data)
    except ValueError as error:
        raise InvalidInput(f"--data is not valid JSON: {error}", field="data") from None
    answer = service.invoke(session.workspace, args.name, data, args.deployment)
    return Output(answer, json.dumps(answer))
