import { Panel, Widget } from '@lumino/widgets';

import { LiveIndicator } from '../common/connection';
import { h, keepingFocus, replaceChildren } from '../common/dom';
import { ColumnFitter } from '../common/fit';
import { IMLExt } from '../tokens';
import { MetricChart } from './chart';
import { metricKeys, preferredKey } from './metrics';
import { IMetricsArrived, RunsModel } from './model';
import { renderParamsDiff } from './paramsDiff';
import { RunsTable } from './table';

const RENDER_SPACING_MS = 200;
const FILTER_EXAMPLE = "metrics.mse < 3 and params.lr = 0.05 and status = 'Completed'";
const FILTER_HINT_ID = 'jp-mlext-filter-hint';

/**
 * The Runs sidebar panel: experiments, a filterable, sortable, paged runs
 * table, and for the selected runs their metric charts overlaid and a params
 * diff. Everything updates from the change feed without a reload.
 */
export class RunsPanel extends Panel {
  constructor(options: RunsPanel.IOptions) {
    super();
    this.id = 'jp-mlext-runs';
    this.title.caption = 'ML runs';
    this.addClass('jp-mlext-panel');
    this.addClass('jp-mlext-runs-panel');
    this._service = options.service;
    this._openRun = options.openRun;
    this._chooseColumns = options.chooseColumns;
    this.model = new RunsModel(options.service);

    this._live = new LiveIndicator(options.service.events);
    this._experimentList = h('div', { class: 'jp-mlext-experiments', role: 'group', 'aria-label': 'Experiments' });
    this._filterInput = h('input', {
      type: 'search',
      class: 'jp-mlext-filter-input',
      'aria-label': 'Filter runs',
      'aria-describedby': `jp-mlext-filter-error ${FILTER_HINT_ID}`,
      placeholder: 'Filter runs',
      title: `Filter in the search language, e.g. ${FILTER_EXAMPLE}`,
      spellcheck: 'false'
    });
    this._error = h('div', { id: 'jp-mlext-filter-error', class: 'jp-mlext-error', role: 'alert' });
    this._table = new RunsTable({
      onSort: field => void this.model.toggleSort(field),
      onToggle: id => this.model.toggleSelected(id),
      onOpen: id => this._openRun(id)
    });
    this._pageLabel = h('span', { class: 'jp-mlext-page-label', 'aria-live': 'polite' });
    this._previous = h(
      'button',
      { class: 'jp-mlext-button', onclick: () => void this.model.previousPage() },
      '‹ Previous'
    );
    this._next = h('button', { class: 'jp-mlext-button', onclick: () => void this.model.nextPage() }, 'Next ›');
    this._metricSelect = h('select', { class: 'jp-mlext-metric-select', 'aria-label': 'Metric to chart' });
    this._metricSelect.addEventListener('change', () => this._showChart(this._metricSelect.value || null));
    this._selectionTitle = h('h3', { class: 'jp-mlext-section-title' });
    this._showAllParams = h('input', { type: 'checkbox', id: 'jp-mlext-all-params' });
    this._showAllParams.addEventListener('change', () => this._renderSelection());
    this._paramsDiff = h('div', { class: 'jp-mlext-params' });
    this._selectionActions = h('div', { class: 'jp-mlext-actions' });

    const top = new Widget({ node: this._topNode() });
    top.addClass('jp-mlext-runs-top');
    this.chart = new MetricChart({
      client: options.service.client,
      maxPoints: () => this._service.settings.chartMaxPoints
    });
    this._selection = new Panel();
    this._selection.addClass('jp-mlext-selection');
    this._selection.addWidget(new Widget({ node: this._selectionHeader() }));
    this._selection.addWidget(this.chart);
    this._selection.addWidget(new Widget({ node: this._paramsNode() }));
    this._selection.hide();
    this.addWidget(top);
    this.addWidget(this._selection);

    this.model.changed.connect(this._onModelChanged, this);
    this.model.selectionChanged.connect(this._renderSelection, this);
    this.model.metricsArrived.connect(this._onMetrics, this);
    this._service.settingsChanged.connect(this._scheduleRender, this);
    this._ticker = window.setInterval(() => this._table.tick(), 1000);
  }

  readonly model: RunsModel;
  readonly chart: MetricChart;

  /**
   * Load experiments and runs the first time the panel is shown.
   */
  ensureLoaded(): Promise<void> {
    if (!this._loaded) {
      this._loaded = this.model.refresh();
    }
    return this._loaded;
  }

  refresh(): Promise<void> {
    this._loaded = this.model.refresh();
    return this._loaded;
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this._ticker);
    window.clearTimeout(this._renderTimer);
    this._live.dispose();
    this._fitter?.dispose();
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(): void {
    void this.ensureLoaded();
  }

  private _topNode(): HTMLElement {
    const form = h(
      'form',
      { class: 'jp-mlext-filter', role: 'search' },
      this._filterInput,
      h('button', { type: 'submit', class: 'jp-mlext-button' }, 'Apply')
    );
    form.addEventListener('submit', event => {
      event.preventDefault();
      void this.model.setFilter(this._filterInput.value);
    });
    const tableScroll = h('div', { class: 'jp-mlext-table-scroll', tabindex: '-1' }, this._table.node);
    this._fitter = new ColumnFitter(tableScroll);
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h2', { class: 'jp-mlext-title' }, 'Runs'),
        this._live.node,
        h(
          'button',
          { class: 'jp-mlext-button', title: 'Reload experiments and runs', onclick: () => void this.refresh() },
          'Refresh'
        ),
        h(
          'button',
          {
            class: 'jp-mlext-button',
            title: 'Choose the metric and param columns',
            onclick: () => this._chooseColumns()
          },
          'Columns…'
        )
      ),
      this._experimentList,
      form,
      h('p', { id: FILTER_HINT_ID, class: 'jp-mlext-hint' }, 'e.g. ', h('code', {}, FILTER_EXAMPLE)),
      this._error,
      tableScroll,
      h('div', { class: 'jp-mlext-pager' }, this._previous, this._pageLabel, this._next)
    );
  }

  private _selectionHeader(): HTMLElement {
    return h(
      'div',
      {},
      h('div', { class: 'jp-mlext-toolbar' }, this._selectionTitle, this._selectionActions),
      h('label', { class: 'jp-mlext-field' }, 'Metric ', this._metricSelect)
    );
  }

  private _paramsNode(): HTMLElement {
    return h(
      'div',
      {},
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h3', { class: 'jp-mlext-section-title' }, 'Params'),
        h('label', { class: 'jp-mlext-field', for: 'jp-mlext-all-params' }, this._showAllParams, ' show all')
      ),
      this._paramsDiff
    );
  }

  /**
   * The start and end of a load show at once (the table then says what it
   * holds); other changes, such as a stream of metric events, are batched.
   */
  private _onModelChanged(): void {
    if (this.model.loading !== this._renderedLoading) {
      window.clearTimeout(this._renderTimer);
      this._renderTimer = 0;
      this._render();
    } else {
      this._scheduleRender();
    }
  }

  private _scheduleRender(): void {
    if (this._renderTimer) {
      return;
    }
    if (performance.now() - this._lastRender > RENDER_SPACING_MS) {
      this._render();
      return;
    }
    this._renderTimer = window.setTimeout(() => {
      this._renderTimer = 0;
      this._render();
    }, RENDER_SPACING_MS);
  }

  private _render(): void {
    this._lastRender = performance.now();
    const model = this.model;
    this._renderExperiments();
    const error = model.error;
    this._error.textContent = [model.experimentsError, error?.message].filter(Boolean).join('\n');
    this._filterInput.setAttribute('aria-invalid', error?.field === 'filter' ? 'true' : 'false');
    this._table.render({
      runs: model.runs,
      sort: model.sort,
      columns: this._service.settings.columns,
      showExperiment: model.experiment === null,
      isSelected: id => model.isSelected(id),
      emptyText: model.loading ? 'Loading runs…' : model.filter ? 'No run matches the filter.' : 'No runs yet.'
    });
    this._renderedLoading = model.loading;
    this.node.dataset.loading = model.loading ? 'true' : 'false';
    const first = model.pageIndex * model.pageSize;
    this._pageLabel.textContent =
      model.runs.length === 0 ? `Page ${model.pageIndex + 1}` : `Runs ${first + 1}–${first + model.runs.length}`;
    this._previous.disabled = model.pageIndex === 0;
    this._next.disabled = !model.hasNextPage;
    this._fitter?.fit();
  }

  private _renderExperiments(): void {
    const current = this.model.experiment;
    const total = this.model.experiments.reduce((sum, experiment) => sum + experiment.run_count, 0);
    const item = (name: string | null, label: string, count: number): HTMLElement =>
      h(
        'button',
        {
          class: 'jp-mlext-experiment',
          'aria-pressed': current === name ? 'true' : 'false',
          'data-experiment': name ?? '',
          'data-focus-key': `experiment:${name ?? ''}`,
          onclick: () => {
            this.model.clearSelection();
            void this.model.setExperiment(name);
          }
        },
        h('span', { class: 'jp-mlext-experiment-name', title: label }, label),
        h('span', { class: 'jp-mlext-count', 'aria-label': `${count} runs` }, String(count))
      );
    keepingFocus(this._experimentList, () =>
      replaceChildren(
        this._experimentList,
        item(null, 'All experiments', total),
        ...this.model.experiments.map(experiment => item(experiment.name, experiment.name, experiment.run_count))
      )
    );
  }

  /**
   * Show the selected runs: their params diff, the metric choice, and the
   * chart (fetched again only when the runs or the metric changed).
   */
  private _renderSelection(): void {
    this._scheduleRender();
    const runs = this.model.selected;
    if (runs.length === 0) {
      this._selection.hide();
      void this.chart.plot([], null);
      return;
    }
    this._selection.show();
    this._selectionTitle.textContent = runs.length === 1 ? `Run ${runs[0].name}` : `Compare ${runs.length} runs`;
    replaceChildren(
      this._selectionActions,
      runs.length === 1
        ? h('button', { class: 'jp-mlext-button', onclick: () => this._openRun(runs[0].id) }, 'Details')
        : null,
      h('button', { class: 'jp-mlext-button', onclick: () => this.model.clearSelection() }, 'Clear')
    );
    replaceChildren(this._paramsDiff, renderParamsDiff(runs, this._showAllParams.checked));
    const keys = metricKeys(runs);
    const wanted = this.chart.key !== null && keys.includes(this.chart.key) ? this.chart.key : preferredKey(runs, keys);
    replaceChildren(this._metricSelect, ...keys.map(key => h('option', { value: key, selected: key === wanted }, key)));
    const ids = runs.map(run => run.id).join(',');
    if (ids !== this._chartedIds || wanted !== this.chart.key) {
      this._showChart(wanted);
    }
  }

  private _showChart(key: string | null): void {
    const runs = this.model.selected;
    this._chartedIds = runs.map(run => run.id).join(',');
    void this.chart.plot(
      runs.map(run => ({ id: run.id, label: run.name })),
      key
    );
  }

  /**
   * Grow the chart; a metric seen for the first time also joins the choice
   * (and is charted when none was).
   */
  private _onMetrics(_: unknown, arrived: IMetricsArrived): void {
    const key = this.chart.key;
    if (key === null || !metricKeys(this.model.selected).every(known => this._hasOption(known))) {
      this._renderSelection();
    }
    if (key !== null && this.chart.key === key) {
      this.chart.append(arrived.runId, arrived.key, arrived.series);
    }
  }

  private _hasOption(key: string): boolean {
    return Array.from(this._metricSelect.options).some(option => option.value === key);
  }

  private _service: IMLExt;
  private _openRun: (id: string) => void;
  private _chooseColumns: () => void;
  private _loaded: Promise<void> | null = null;
  private _live: LiveIndicator;
  private _fitter: ColumnFitter | null = null;
  private _experimentList: HTMLElement;
  private _filterInput: HTMLInputElement;
  private _error: HTMLElement;
  private _table: RunsTable;
  private _pageLabel: HTMLElement;
  private _previous: HTMLButtonElement;
  private _next: HTMLButtonElement;
  private _metricSelect: HTMLSelectElement;
  private _selectionTitle: HTMLElement;
  private _selectionActions: HTMLElement;
  private _showAllParams: HTMLInputElement;
  private _paramsDiff: HTMLElement;
  private _selection: Panel;
  private _chartedIds = '';
  private _renderTimer = 0;
  private _lastRender = 0;
  private _renderedLoading = false;
  private _ticker: number;
}

export namespace RunsPanel {
  export interface IOptions {
    service: IMLExt;
    openRun: (id: string) => void;
    chooseColumns: () => void;
  }
}
