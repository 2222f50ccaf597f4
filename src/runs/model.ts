import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, MLExtAPIError } from '../api/errors';
import { ChangeEvent, Experiment, MetricsEventSeries, RunInfo, RunStatus } from '../api/types';
import { IMLExt } from '../tokens';
import { withMetrics } from './metrics';

/**
 * A sort of the runs table: a field of the search language and a direction.
 */
export interface ISort {
  field: string;
  direction: 'ASC' | 'DESC';
}

/**
 * A failed load, shown in the panel (`field` is `filter` for a bad filter).
 */
export interface ILoadError {
  message: string;
  field?: string;
}

/**
 * New points of one series, as a metrics event carried them.
 */
export interface IMetricsArrived {
  runId: string;
  key: string;
  series: MetricsEventSeries;
}

/**
 * Reloads triggered by the change feed are spaced at least this far apart.
 */
const RELOAD_SPACING_MS = 300;

/**
 * The Runs panel's state: which experiment, filter, sort and page it shows,
 * the runs of that page, and which runs are selected. Every query runs on
 * the server (search language, `order_by`, paging); the model keeps only the
 * current page, so a workspace of any size costs one page.
 *
 * It follows the change feed: new runs and status changes reload the page,
 * metric events update the latest values in place and are passed on to the
 * charts through `metricsArrived`.
 */
export class RunsModel implements IDisposable {
  constructor(service: IMLExt) {
    this._service = service;
    this._loadedPageSize = service.settings.pageSize;
    service.events.received.connect(this._onEvent, this);
    service.events.resumed.connect(this._onResumed, this);
    service.settingsChanged.connect(this._onSettings, this);
  }

  /**
   * Experiments, runs, paging, loading or error changed.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get selectionChanged(): ISignal<this, void> {
    return this._selectionChanged;
  }

  get metricsArrived(): ISignal<this, IMetricsArrived> {
    return this._metricsArrived;
  }

  get experiments(): ReadonlyArray<Experiment> {
    return this._experiments;
  }

  /**
   * The experiment shown, or null for all of them.
   */
  get experiment(): string | null {
    return this._experiment;
  }

  get filter(): string {
    return this._filter;
  }

  get sort(): ISort | null {
    return this._sort;
  }

  get runs(): ReadonlyArray<RunInfo> {
    return this._runs;
  }

  get pageIndex(): number {
    return this._pageTokens.length - 1;
  }

  get pageSize(): number {
    return this._service.settings.pageSize;
  }

  get hasNextPage(): boolean {
    return this._nextToken !== null;
  }

  get loading(): boolean {
    return this._loading;
  }

  /**
   * Why the page could not be loaded, or null.
   */
  get error(): ILoadError | null {
    return this._error;
  }

  /**
   * Why the experiments could not be loaded, or null.
   */
  get experimentsError(): string | null {
    return this._experimentsError;
  }

  /**
   * Selected runs in the order they were selected (kept when they leave the
   * page, and kept up to date while they are on it).
   */
  get selected(): ReadonlyArray<RunInfo> {
    return this._selected;
  }

  isSelected(id: string): boolean {
    return this._selected.some(run => run.id === id);
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._reloadTimer);
    Signal.clearData(this);
  }

  /**
   * Load the experiments and the page; the first time, once the settings are
   * known, on the default experiment.
   */
  async refresh(): Promise<void> {
    if (!this._experimentChosen) {
      await this._service.ready;
      this._experiment = this._service.settings.defaultExperiment || null;
      this._experimentChosen = true;
    }
    await Promise.all([this.loadExperiments(), this.reload()]);
  }

  async loadExperiments(): Promise<void> {
    try {
      this._experiments = await this._service.client.experiments();
      this._experimentsError = null;
    } catch (reason) {
      this._experimentsError = `Loading experiments failed: ${errorMessage(reason)}`;
    }
    this._changed.emit();
  }

  setExperiment(name: string | null): Promise<void> {
    this._experiment = name;
    this._experimentChosen = true;
    this._pageTokens = [null];
    return this.reload();
  }

  setFilter(filter: string): Promise<void> {
    this._filter = filter.trim();
    this._pageTokens = [null];
    return this.reload();
  }

  /**
   * Sort by `field`: a new field sorts descending first for metrics and
   * times, ascending otherwise; the same field again flips the direction.
   */
  toggleSort(field: string): Promise<void> {
    if (this._sort && this._sort.field === field) {
      this._sort = {
        field,
        direction: this._sort.direction === 'ASC' ? 'DESC' : 'ASC'
      };
    } else {
      const descending = /^(metrics\.|started_at$|created_at$|duration$)/.test(field);
      this._sort = { field, direction: descending ? 'DESC' : 'ASC' };
    }
    this._pageTokens = [null];
    return this.reload();
  }

  nextPage(): Promise<void> {
    if (this._nextToken === null) {
      return Promise.resolve();
    }
    this._pageTokens.push(this._nextToken);
    return this.reload();
  }

  previousPage(): Promise<void> {
    if (this._pageTokens.length <= 1) {
      return Promise.resolve();
    }
    this._pageTokens.pop();
    return this.reload();
  }

  /**
   * Load the current page again; answers to older requests are dropped.
   */
  async reload(): Promise<void> {
    const request = ++this._requests;
    this._loading = true;
    this._changed.emit();
    try {
      const page = await this._service.client.searchRuns({
        experiment: this._experiment === null ? undefined : [this._experiment],
        filter: this._filter,
        order_by: this._sort ? [`${this._sort.field} ${this._sort.direction}`] : undefined,
        max_results: this.pageSize,
        page_token: this._pageTokens[this._pageTokens.length - 1] ?? undefined
      });
      if (request !== this._requests || this._disposed) {
        return;
      }
      this._runs = page.runs;
      this._nextToken = page.next_page_token;
      this._error = null;
      this._refreshSelected();
    } catch (reason) {
      if (request !== this._requests || this._disposed) {
        return;
      }
      const field = reason instanceof MLExtAPIError ? reason.field : undefined;
      this._error = { message: errorMessage(reason), field };
      if (field !== 'filter' && field !== 'order_by') {
        this._runs = [];
        this._nextToken = null;
      }
    }
    this._loading = false;
    this._changed.emit();
  }

  toggleSelected(id: string): void {
    if (this.isSelected(id)) {
      this._selected = this._selected.filter(run => run.id !== id);
    } else {
      const run = this._runs.find(candidate => candidate.id === id);
      if (!run) {
        return;
      }
      this._selected = [...this._selected, run];
    }
    this._selectionChanged.emit();
  }

  clearSelection(): void {
    if (this._selected.length > 0) {
      this._selected = [];
      this._selectionChanged.emit();
    }
  }

  private _refreshSelected(): void {
    if (this._selected.length === 0) {
      return;
    }
    const byId = new Map(this._runs.map(run => [run.id, run]));
    let changed = false;
    this._selected = this._selected.map(run => {
      const fresh = byId.get(run.id);
      if (fresh && fresh !== run) {
        changed = true;
        return fresh;
      }
      return run;
    });
    if (changed) {
      this._selectionChanged.emit();
    }
  }

  private _onEvent(_: unknown, event: ChangeEvent): void {
    if (!this._experimentChosen) {
      return;
    }
    switch (event.kind) {
      case 'run_created':
        if (this._experiment === null || event.data.experiment === this._experiment) {
          this._scheduleReload(true);
        }
        break;
      case 'status':
        this._applyStatus(event.run_id, event.data.status);
        break;
      case 'metrics':
        this._applyMetrics(event.run_id, event.data.series);
        break;
    }
  }

  /**
   * Show the new status at once; reload for what else changed with it
   * (start and end times, and membership of a status filter).
   */
  private _applyStatus(runId: string, status: RunStatus): void {
    const update = (run: RunInfo): RunInfo => (run.id === runId ? { ...run, status } : run);
    const onPage = this._runs.some(run => run.id === runId);
    if (onPage) {
      this._runs = this._runs.map(update);
      this._changed.emit();
    }
    if (this.isSelected(runId)) {
      this._selected = this._selected.map(update);
      this._selectionChanged.emit();
    }
    if (onPage || this._filter.length > 0) {
      this._scheduleReload(false);
    }
  }

  private _applyMetrics(runId: string, series: { [key: string]: MetricsEventSeries }): void {
    const update = (run: RunInfo): RunInfo => (run.id === runId ? withMetrics(run, series) : run);
    if (this._runs.some(run => run.id === runId)) {
      this._runs = this._runs.map(update);
      this._changed.emit();
    }
    if (this.isSelected(runId)) {
      this._selected = this._selected.map(update);
      for (const [key, points] of Object.entries(series)) {
        this._metricsArrived.emit({ runId, key, series: points });
      }
    }
  }

  private _scheduleReload(withExperiments: boolean): void {
    this._reloadExperiments = this._reloadExperiments || withExperiments;
    if (this._reloadTimer) {
      return;
    }
    this._reloadTimer = window.setTimeout(() => {
      this._reloadTimer = 0;
      const experiments = this._reloadExperiments;
      this._reloadExperiments = false;
      void this.reload();
      if (experiments) {
        void this.loadExperiments();
      }
    }, RELOAD_SPACING_MS);
  }

  private _onResumed(): void {
    if (this._experimentChosen) {
      void this.refresh();
    }
  }

  /**
   * A new page size starts again from the first page (once anything is shown).
   */
  private _onSettings(): void {
    if (this.pageSize !== this._loadedPageSize) {
      this._loadedPageSize = this.pageSize;
      this._pageTokens = [null];
      if (this._experimentChosen) {
        void this.reload();
      }
    }
  }

  private _service: IMLExt;
  private _experiments: Experiment[] = [];
  private _experiment: string | null = null;
  private _experimentChosen = false;
  private _filter = '';
  private _sort: ISort | null = null;
  private _runs: RunInfo[] = [];
  private _pageTokens: (string | null)[] = [null];
  private _nextToken: string | null = null;
  private _loading = false;
  private _error: ILoadError | null = null;
  private _experimentsError: string | null = null;
  private _selected: RunInfo[] = [];
  private _requests = 0;
  private _reloadTimer = 0;
  private _reloadExperiments = false;
  private _loadedPageSize: number;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
  private _selectionChanged = new Signal<this, void>(this);
  private _metricsArrived = new Signal<this, IMetricsArrived>(this);
}
