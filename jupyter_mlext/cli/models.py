"""`mlext models …`: the model registry from a terminal — list, show, register, alias, tag, history, download, delete.

mlext models register ridge --run 3f2a91c0 --path outputs/model.pkl --tag area=health
mlext models alias ridge production 3
mlext models download ridge@production --dest serving/
"""

from __future__ import annotations

import argparse
from typing import Any

from ..entities import InvalidInput, ModelVersion
from ..sdk.context import user
from .format import Output, key_values, size, table, time
from .session import Session


def register(groups: Any, group: Any, command: Any) -> None:
    """Add the `models` group to the parser built in main.py."""
    models = group(groups, "models", "the model registry: named models and their versions")
    listing = command(models, "list", _list, "registered models with their latest version and aliases")
    listing.add_argument("--name", metavar="TEXT", help="only names containing TEXT")
    versions = command(models, "versions", _versions, "versions, newest first, filtered by name and tags")
    versions.add_argument("name", metavar="NAME", nargs="?", help="part of the model name")
    versions.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="(repeatable)")
    show = command(models, "show", _show, "one version with its lineage (NAME, NAME:VERSION or NAME@ALIAS)")
    show.add_argument("ref", metavar="MODEL", help="NAME (its latest version), NAME:VERSION or NAME@ALIAS")
    add = command(models, "register", _register, "register the next version of a model")
    add.add_argument("name", metavar="NAME", help="the model's name (created on first use)")
    add.add_argument("--run", metavar="RUN", help="take the files from this run's artifacts")
    add.add_argument("--path", required=True, metavar="PATH", help="artifact path (with --run) or a local path")
    add.add_argument("--reference", action="store_true", help="keep only the path of local files, do not copy")
    add.add_argument("--framework", metavar="NAME")
    add.add_argument("--description", metavar="TEXT")
    add.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE", help="(repeatable)")
    add.add_argument("--property", action="append", default=[], metavar="KEY=VALUE", help="(repeatable)")
    add.set_defaults(creates_workspace=True)
    alias = command(models, "alias", _alias, "point an alias at a version (or remove it with --delete)")
    alias.add_argument("name", metavar="NAME", help="the model")
    alias.add_argument("alias", metavar="ALIAS", help="e.g. production")
    alias.add_argument(
        "version", metavar="VERSION", type=int, nargs="?", help="the version it points to (none: remove the alias)"
    )
    alias.add_argument("--delete", action="store_true")
    tag = command(models, "tag", _tag, "set tags of a version (KEY=VALUE) or delete them (--delete KEY)")
    tag.add_argument("ref", metavar="NAME:VERSION", help="the model version")
    tag.add_argument("tags", metavar="KEY=VALUE", nargs="*", help="tags to set")
    tag.add_argument("--delete", action="append", default=[], metavar="KEY")
    history = command(models, "history", _history, "every registration, alias and tag change, oldest first")
    history.add_argument("name", metavar="NAME", help="the model")
    download = command(models, "download", _download, "copy a version's files")
    download.add_argument("ref", metavar="MODEL", help="NAME, NAME:VERSION or NAME@ALIAS")
    download.add_argument("--dest", default=".", metavar="DIR", help="destination folder (default: .)")
    delete = command(models, "delete", _delete, "delete a version (refused while a deployment serves it)")
    delete.add_argument("ref", metavar="NAME:VERSION", help="the version to delete (refused while deployed)")


def _version_rows(versions: list[ModelVersion]) -> str:
    rows = [
        [
            v.name,
            str(v.version),
            ",".join(v.aliases) or "-",
            v.framework or "-",
            size(v.size),
            (v.run_id or "-")[:8],
            time(v.created_at),
            " ".join(f"{k}={t}" for k, t in v.tags.items()) or "-",
        ]
        for v in versions
    ]
    return table(
        [["NAME", "VERSION", "ALIASES", "FRAMEWORK", "SIZE", "RUN", "REGISTERED", "TAGS"], *rows], right={1, 4}
    )


def _list(session: Session, args: argparse.Namespace) -> Output:
    models = session.workspace.registry.list_models(args.name)
    rows = [
        [
            m.name,
            str(m.latest_version or "-"),
            str(m.version_count),
            " ".join(f"{a}={v}" for a, v in m.aliases.items()) or "-",
            time(m.created_at),
        ]
        for m in models
    ]
    return Output(
        {"models": [m.to_dict() for m in models]},
        table([["NAME", "LATEST", "VERSIONS", "ALIASES", "CREATED"], *rows], right={1, 2}),
    )


def _versions(session: Session, args: argparse.Namespace) -> Output:
    versions = session.workspace.registry.search_versions(args.name, key_values(args.tag, "tag"))
    return Output({"versions": [v.to_dict() for v in versions]}, _version_rows(versions))


def _show(session: Session, args: argparse.Namespace) -> Output:
    lineage = session.workspace.registry.lineage(args.ref)
    version, run = lineage.version, lineage.run
    lines = [
        _version_rows([version]),
        "",
        f"source:      {version.source}",
        f"stored:      {version.stored} ({version.file_count} files) at {version.location}",
    ]
    if version.properties:
        lines.append("properties:  " + " ".join(f"{k}={v}" for k, v in version.properties.items()))
    if run is not None:
        lines += [
            f"run:         {run.id} ({run.name}, {run.experiment}, {run.status.value})",
            "params:      " + (" ".join(f"{k}={v}" for k, v in run.params.items()) or "-"),
            "metrics:     " + (" ".join(f"{k}={m.last:.6g}" for k, m in run.metrics.items()) or "-"),
            f"git commit:  {run.git_commit or '-'}",
            f"snapshot:    {run.snapshot_id or '-'}",
        ]
        lines += [f"parent run:  {p.id} ({p.name})" for p in lineage.parents]
    return Output(lineage.to_dict(), "\n".join(lines))


def _register(session: Session, args: argparse.Namespace) -> Output:
    version = session.workspace.registry.register(
        args.name,
        run_id=args.run,
        path=args.path,
        reference=args.reference,
        framework=args.framework,
        description=args.description,
        tags=key_values(args.tag, "tag"),
        properties=key_values(args.property, "property"),
        user=user(),
    )
    return Output(version.to_dict(), f"registered {version.name} version {version.version}")


def _alias(session: Session, args: argparse.Namespace) -> Output:
    registry = session.workspace.registry
    if args.delete:
        registry.delete_alias(args.name, args.alias, user=user())
        return Output({"deleted": args.alias}, f"removed alias {args.alias} of {args.name}")
    if args.version is None:
        raise InvalidInput("usage: mlext models alias NAME ALIAS VERSION (or --delete)", field="version")
    version = registry.set_alias(args.name, args.alias, args.version, user=user())
    return Output(version.to_dict(), f"{args.name}@{args.alias} → version {version.version}")


def _tag(session: Session, args: argparse.Namespace) -> Output:
    registry = session.workspace.registry
    version = registry.get(args.ref)
    version = registry.update_tags(
        version.name, version.version, key_values(args.tags, "tag"), args.delete, user=user()
    )
    return Output(
        version.to_dict(),
        f"{version.name}:{version.version} tags: " + (" ".join(f"{k}={v}" for k, v in version.tags.items()) or "-"),
    )


def _history(session: Session, args: argparse.Namespace) -> Output:
    changes = session.workspace.registry.history(args.name)
    rows = [
        [time(c.at), c.user or "-", c.action, str(c.version or "-"), c.key or "-", c.value or "-", c.previous or "-"]
        for c in changes
    ]
    return Output(
        {"history": [c.to_dict() for c in changes]},
        table([["WHEN", "WHO", "ACTION", "VERSION", "KEY", "VALUE", "PREVIOUS"], *rows]),
    )


def _download(session: Session, args: argparse.Namespace) -> Output:
    target = session.workspace.registry.download(args.ref, args.dest)
    return Output({"path": str(target)}, f"downloaded {args.ref} to {target}")


def _delete(session: Session, args: argparse.Namespace) -> Output:
    registry = session.workspace.registry
    version = registry.get(args.ref)
    registry.delete_version(version.name, version.version, user=user())
    return Output({"deleted": f"{version.name}:{version.version}"}, f"deleted {version.name}:{version.version}")
