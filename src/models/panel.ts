import { Widget } from '@lumino/widgets';

import { LiveIndicator } from '../common/connection';
import { h, keepingFocus, replaceChildren } from '../common/dom';
import { ColumnFitter } from '../common/fit';
import { IMLExt } from '../tokens';
import { editTagsDialog, removeAliasDialog, setAliasDialog } from './dialogs';
import { ModelsModel } from './model';
import { historyTable, IVersionActions, lineageView, versionsTable, versionToolbar } from './views';

const SEARCH_EXAMPLE = 'name, or tag such as area=health';
const SEARCH_HINT_ID = 'jp-mlext-model-search-hint';

/**
 * The Models sidebar panel: registered models (search by name or tag), the
 * versions of the selected one with their run, tags, aliases, size and a
 * download link, the lineage of the selected version (its run's params and
 * metrics), and the model's alias and tag history (who moved `production`
 * to which version, when). Aliases and tags are changed in dialogs.
 *
 * Registry changes are on the change feed: once loaded, the panel follows
 * them live, wherever they were made (a notebook, the CLI, another browser).
 */
export class ModelsPanel extends Widget {
  constructor(options: ModelsPanel.IOptions) {
    super();
    this.id = 'jp-mlext-models';
    this.title.caption = 'ML models';
    this.addClass('jp-mlext-panel');
    this.addClass('jp-mlext-models-panel');
    this.model = new ModelsModel(options.service);
    this._options = options;
    this._searchInput = h('input', {
      type: 'search',
      class: 'jp-mlext-filter-input',
      'aria-label': 'Search models',
      'aria-describedby': SEARCH_HINT_ID,
      placeholder: 'Search models',
      title: `Search by ${SEARCH_EXAMPLE}`,
      spellcheck: 'false'
    });
    const form = h(
      'form',
      { class: 'jp-mlext-filter', role: 'search' },
      this._searchInput,
      h('button', { type: 'submit', class: 'jp-mlext-button' }, 'Search')
    );
    form.addEventListener('submit', event => {
      event.preventDefault();
      void this.model.setSearch(this._searchInput.value);
    });
    this._error = h('div', { class: 'jp-mlext-error', role: 'alert' });
    this._modelList = h('div', {
      class: 'jp-mlext-experiments jp-mlext-model-list',
      role: 'group',
      'aria-label': 'Models'
    });
    this._versionsTitle = h('h3', { class: 'jp-mlext-section-title' }, 'Versions');
    this._versions = h('div', { class: 'jp-mlext-table-scroll' });
    this._lineageTitle = h('h3', { class: 'jp-mlext-section-title' }, 'Lineage');
    this._versionActions = h('div', {});
    const model = this.model;
    this._actions = {
      select: version => void model.selectVersion(version),
      openRun: id => options.openRun(id),
      setAlias: version => void setAliasDialog(model, version),
      removeAlias: alias => void removeAliasDialog(model, alias),
      editTags: version => void editTagsDialog(model, version),
      downloadUrl: version => options.service.client.modelDownloadUrl(version.name, version.version)
    };
    this._lineage = h('div', { class: 'jp-mlext-model-lineage' });
    this._history = h('div', { class: 'jp-mlext-table-scroll' });
    this._live = new LiveIndicator(options.service.events);
    this._fitters = [this._versions, this._lineage, this._history].map(node => new ColumnFitter(node));
    this.node.append(
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h2', { class: 'jp-mlext-title' }, 'Models'),
        this._live.node,
        h(
          'button',
          { class: 'jp-mlext-button', title: 'Reload the model registry', onclick: () => void this.model.refresh() },
          'Refresh'
        )
      ),
      form,
      h('p', { id: SEARCH_HINT_ID, class: 'jp-mlext-hint' }, `By ${SEARCH_EXAMPLE}`),
      this._error,
      this._modelList,
      this._versionsTitle,
      this._versions,
      h('div', { class: 'jp-mlext-toolbar' }, this._lineageTitle, this._versionActions),
      this._lineage,
      h('h3', { class: 'jp-mlext-section-title' }, 'History'),
      this._history
    );
    this.model.changed.connect(this._render, this);
    this._render();
  }

  readonly model: ModelsModel;

  /**
   * Load the registry (again on every showing); from then on the model
   * follows the change feed.
   */
  refresh(): Promise<void> {
    return this.model.refresh();
  }

  dispose(): void {
    if (!this.isDisposed) {
      this._live.dispose();
      this._fitters.forEach(fitter => fitter.dispose());
      this.model.dispose();
      super.dispose();
    }
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  private _render(): void {
    const model = this.model;
    this.node.dataset.loading = model.loading ? 'true' : 'false';
    this._error.textContent = model.error ?? '';
    this._renderModels();
    const name = model.selectedModel;
    const selected = model.selectedVersion;
    this._versionsTitle.textContent = name ? `Versions of ${name}` : 'Versions';
    keepingFocus(this._versions, () =>
      replaceChildren(
        this._versions,
        name === null
          ? h('p', { class: 'jp-mlext-muted' }, 'Select a model.')
          : versionsTable(name, model.versions, selected?.version ?? null, this._actions)
      )
    );
    this._lineageTitle.textContent = selected ? `Lineage of ${selected.name}:${selected.version}` : 'Lineage';
    keepingFocus(this._versionActions, () =>
      replaceChildren(this._versionActions, selected ? versionToolbar(selected, this._actions) : null)
    );
    replaceChildren(
      this._lineage,
      selected === null
        ? h('p', { class: 'jp-mlext-muted' }, 'Select a version.')
        : lineageView(model.lineage, id => this._options.openRun(id))
    );
    replaceChildren(
      this._history,
      name === null ? h('p', { class: 'jp-mlext-muted' }, 'No model selected.') : historyTable(model.history)
    );
    this._fitters.forEach(fitter => fitter.fit());
  }

  private _renderModels(): void {
    const model = this.model;
    const items = model.models.map(registered => {
      const aliases = Object.keys(registered.aliases)
        .sort()
        .map(alias => `@${alias}→v${registered.aliases[alias]}`)
        .join(' ');
      return h(
        'button',
        {
          class: 'jp-mlext-experiment jp-mlext-model',
          'aria-pressed': model.selectedModel === registered.name ? 'true' : 'false',
          'data-model': registered.name,
          'data-focus-key': `model:${registered.name}`,
          title: aliases ? `${registered.name} ${aliases}` : registered.name,
          onclick: () => void model.selectModel(registered.name)
        },
        h('span', { class: 'jp-mlext-experiment-name' }, registered.name),
        h(
          'span',
          { class: 'jp-mlext-count', 'aria-label': `${registered.version_count} versions` },
          String(registered.version_count)
        )
      );
    });
    keepingFocus(this._modelList, () =>
      replaceChildren(
        this._modelList,
        ...(items.length
          ? items
          : [
              h(
                'p',
                { class: 'jp-mlext-muted jp-mlext-empty' },
                model.loading
                  ? 'Loading models…'
                  : model.search
                    ? 'No model matches the search.'
                    : 'No models registered yet.'
              )
            ])
      )
    );
  }

  private _options: ModelsPanel.IOptions;
  private _searchInput: HTMLInputElement;
  private _error: HTMLElement;
  private _modelList: HTMLElement;
  private _versionsTitle: HTMLElement;
  private _versions: HTMLElement;
  private _lineageTitle: HTMLElement;
  private _versionActions: HTMLElement;
  private _actions: IVersionActions;
  private _lineage: HTMLElement;
  private _history: HTMLElement;
  private _live: LiveIndicator;
  private _fitters: ColumnFitter[];
}

export namespace ModelsPanel {
  export interface IOptions {
    service: IMLExt;
    openRun: (id: string) => void;
  }
}
