"""ModelRegistry: browse registered models and their versions, trace a version to its run, and register one.

    mlx.ModelRegistry()                     # every model; pick one, then a version
    mlx.ModelRegistry("diabetes-ridge")     # that model's versions, the newest picked

A search box finds models by part of their name, or by a tag their versions carry (`area=health`). For the
picked version: its tags, aliases, files and source; its lineage (the run's params and latest metrics, and the
run's parents); and the model's history (who moved `production` to which version, when). The "Register" tab
registers the next version of a model from a run's artifact file or folder. Everything goes through the SDK.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from .. import readable
from ..entities import MLExtError, ModelLineage, ModelVersion, NotFound, RegisteredModel, RegistryChange, RunInfo
from ..sdk import models as sdk_models
from ._html import escape, note, run_title, table

TABS = ("Version", "Lineage", "History", "Register")
ACTIONS = {
    "registered": "registered",
    "deleted": "deleted",
    "tag_set": "set tag",
    "tag_deleted": "removed tag",
    "alias_set": "moved alias",
    "alias_deleted": "removed alias",
}


class ModelRegistry(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no type information: VBox is Any
    """Registered models of a workspace; `models`, `versions` and `version` hold what is listed and picked,
    `error` the last refusal (shown in the widget)."""

    def __init__(self, name: str | None = None, workspace: str | None = None) -> None:
        self.workspace = workspace
        self.models: list[RegisteredModel] = []
        self.versions: list[ModelVersion] = []
        self.version: ModelVersion | None = None
        self.error: str | None = None
        self._search = widgets.Text(
            description="Search",
            placeholder="name, or tag as key=value",
            continuous_update=False,
            layout=widgets.Layout(width="28em"),
        )
        self._refresh_button = widgets.Button(description="Refresh", icon="refresh")
        self._message = widgets.HTML()
        self._model_list = widgets.Select(options=[], description="Models", rows=8, layout=widgets.Layout(width="24em"))
        self._version_list = widgets.Select(
            options=[], description="Versions", rows=8, layout=widgets.Layout(width="30em")
        )
        self._version_html = widgets.HTML()
        self._lineage_html = widgets.HTML()
        self._history_html = widgets.HTML()
        self._run_id = widgets.Text(description="Run id", placeholder="an id or a unique prefix")
        self._path = widgets.Text(description="Artifact", placeholder="outputs/model.pkl")
        self._name = widgets.Text(description="Model name", value=name or "")
        self._register_button = widgets.Button(description="Register", icon="plus", button_style="primary")
        self._register_message = widgets.HTML()
        form = widgets.VBox([self._run_id, self._path, self._name, self._register_button, self._register_message])
        self._tabs = widgets.Tab(
            children=[self._version_html, self._lineage_html, self._history_html, form], titles=TABS
        )
        super().__init__(
            [
                widgets.HBox([self._search, self._refresh_button]),
                self._message,
                widgets.HBox([self._model_list, self._version_list]),
                self._tabs,
            ]
        )
        self._quiet = False  # set while option lists are rewritten, which resets their values
        self._search.observe(lambda _change: self.refresh(), names="value")
        self._refresh_button.on_click(lambda _button: self.refresh())
        self._model_list.observe(self._model_picked, names="value")
        self._version_list.observe(self._version_picked, names="value")
        self._register_button.on_click(lambda _button: self._register_from_form())
        if name is not None:
            self._require_model(name)
        self.refresh(name)

    def __repr__(self) -> str:
        picked = f"{self.version.name}:{self.version.version}" if self.version else "nothing"
        return f"<ModelRegistry: {len(self.models)} models, {picked} picked>"

    # -- what the controls do, also callable from code --------------------------------------------------------

    def refresh(self, name: str | None = None) -> None:
        """List the models matching the search again, keeping (or picking) model `name`."""
        wanted = name or self._model_list.value
        try:
            self.models = self._matching_models(self._search.value.strip())
            self._list_models(wanted)
        except MLExtError as error:
            self._fail(error)
            return
        self.error = None

    def search(self, text: str) -> None:
        """Type in the search box (a name part, or `key=value` for a tag); the list refreshes."""
        self._search.value = text

    def select_model(self, name: str) -> None:
        self._require_model(name)
        if name not in {model.name for model in self.models}:
            self._search.value = ""
        self._model_list.value = name

    def select_version(self, version: int) -> None:
        if version not in {v.version for v in self.versions}:
            raise NotFound(f"model {self._model_list.value!r} has no version {version}", field="version")
        self._version_list.value = version

    def register(self, run_id: str, path: str, name: str) -> ModelVersion:
        """Register the next version of `name` from run `run_id`'s artifact `path`, then show it."""
        version = sdk_models.register_model(name, run=run_id, path=path, workspace=self.workspace)
        self._search.value = ""
        self.refresh(version.name)
        self._version_list.value = version.version
        return version

    # -- rendering ---------------------------------------------------------------------------------------------

    def _list_models(self, wanted: str | None) -> None:
        names = [model.name for model in self.models]
        count = len(names)
        self._message.value = note(
            f"{count} model{'' if count == 1 else 's'}"
            if count
            else "no model matches"
            if self._search.value.strip()
            else "no models registered yet"
        )
        options = [
            (f"{m.name} ({m.version_count} version{'' if m.version_count == 1 else 's'})", m.name) for m in self.models
        ]
        self._set_options(self._model_list, options, wanted if wanted in names else (names[0] if names else None))
        self._show_model(self._model_list.value)

    def _matching_models(self, text: str) -> list[RegisteredModel]:
        key, sep, value = text.partition("=")
        if not sep:
            return sdk_models.list_models(text or None, workspace=self.workspace)
        tagged = {
            v.name
            for v in sdk_models.search_model_versions(tags={key.strip(): value.strip()}, workspace=self.workspace)
        }
        return [model for model in sdk_models.list_models(workspace=self.workspace) if model.name in tagged]

    def _show_model(self, name: str | None) -> None:
        self.versions = (
            []
            if name is None
            else [v for v in sdk_models.search_model_versions(name, workspace=self.workspace) if v.name == name]
        )
        current = self.version.version if self.version and self.version.name == name else None
        numbers = [v.version for v in self.versions]
        options = [(_version_label(v), v.version) for v in self.versions]
        self._set_options(
            self._version_list, options, current if current in numbers else (numbers[0] if numbers else None)
        )
        history = [] if name is None else sdk_models.model_history(name, workspace=self.workspace)
        self._history_html.value = _history_html(history)
        self._show_version(self._version_list.value)

    def _show_version(self, number: int | None) -> None:
        self.version = next((v for v in self.versions if v.version == number), None)
        if self.version is None:
            self._version_html.value = note("pick a version")
            self._lineage_html.value = note("pick a version")
            return
        lineage = sdk_models.model_lineage(f"{self.version.name}:{self.version.version}", workspace=self.workspace)
        with self.hold_sync():
            self._version_html.value = _version_html(self.version)
            self._lineage_html.value = _lineage_html(lineage)

    def _register_from_form(self) -> None:
        try:
            version = self.register(self._run_id.value.strip(), self._path.value.strip(), self._name.value.strip())
        except MLExtError as error:
            self.error = error.message
            self._register_message.value = note(error.message, error=True)
            return
        self._register_message.value = note(f"registered {version.name}:{version.version}")

    def _require_model(self, name: str) -> None:
        if name not in {model.name for model in sdk_models.list_models(workspace=self.workspace)}:
            raise NotFound(f"no registered model named {name!r}", field="name")

    def _fail(self, error: MLExtError) -> None:
        self.error = error.message
        self._message.value = note(error.message, error=True)

    def _model_picked(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._reading(self._show_model, change["new"])

    def _version_picked(self, change: dict[str, Any]) -> None:
        if not self._quiet:
            self._reading(self._show_version, change["new"])

    def _reading(self, show: Callable[[Any], None], value: Any) -> None:
        """A pick in a list: a refusal (a model deleted meanwhile) is shown, not raised in the widget's thread."""
        try:
            show(value)
        except MLExtError as error:
            self._fail(error)

    def _set_options(self, control: widgets.Select, options: Sequence[tuple[str, object]], value: object) -> None:
        self._quiet = True
        try:
            control.options = options
            control.value = value
        finally:
            self._quiet = False


def _version_label(version: ModelVersion) -> str:
    aliases = f" @{', @'.join(version.aliases)}" if version.aliases else ""
    return f"v{version.version}{aliases} · {readable.time(version.created_at)}"


def _version_html(version: ModelVersion) -> str:
    facts = [
        ["version", f"{version.name}:{version.version}"],
        ["aliases", ", ".join(version.aliases) or "–"],
        ["registered", f"{readable.time(version.created_at)} by {version.user or 'unknown'}"],
        ["source", version.source],
        ["files", f"{version.file_count} ({readable.size(version.size)}), {version.stored}: {version.location}"],
        ["framework", version.framework or "–"],
        ["description", version.description or "–"],
    ]
    tags = table(["TAG", "VALUE"], sorted(version.tags.items())) if version.tags else note("no tags")
    properties = table(["PROPERTY", "VALUE"], sorted(version.properties.items())) if version.properties else ""
    return table(["", ""], facts) + f"<div>{tags}</div><div>{properties}</div>"


def _lineage_html(lineage: ModelLineage) -> str:
    run = lineage.run
    if run is None:
        return note(f"registered from local files ({lineage.version.source}), not from a run")
    chain = " ← ".join(f"{escape(parent.name)} <code>{escape(parent.id[:8])}</code>" for parent in lineage.parents)
    parts = [f"<div>run {run_title(run)} in experiment <b>{escape(run.experiment)}</b></div>"]
    if chain:
        parts.append(f"<div>child of {chain}</div>")
    parts.append(_run_tables(run))
    return "".join(parts)


def _run_tables(run: RunInfo) -> str:
    params = table(["PARAM", "VALUE"], sorted(run.params.items())) if run.params else note("no params")
    metrics = (
        table(
            ["METRIC", "LAST", "MIN", "MAX"],
            [
                [m.key, readable.number(m.last), readable.number(m.min), readable.number(m.max)]
                for m in sorted(run.metrics.values(), key=lambda m: m.key)
            ],
            right={1, 2, 3},
        )
        if run.metrics
        else note("no metrics")
    )
    return f'<div style="display:flex;gap:2em;align-items:flex-start"><div>{params}</div><div>{metrics}</div></div>'


def _history_html(changes: list[RegistryChange]) -> str:
    if not changes:
        return note("no history")
    rows = [
        [
            readable.time(c.at),
            c.user or "unknown",
            ACTIONS.get(c.action, c.action),
            "" if c.version is None else str(c.version),
            c.key or "",
            _change_text(c),
        ]
        for c in reversed(changes)
    ]
    return table(["WHEN", "WHO", "WHAT", "VERSION", "TAG/ALIAS", "CHANGE"], rows)


def _change_text(change: RegistryChange) -> str:
    if change.action == "alias_set":
        return f"v{change.previous} → v{change.value}" if change.previous else f"→ v{change.value}"
    if change.action == "tag_set":
        return f"{change.previous} → {change.value}" if change.previous is not None else change.value or ""
    if change.action in ("tag_deleted", "alias_deleted"):
        return f"was {change.previous}"
    return change.value or change.previous or ""
