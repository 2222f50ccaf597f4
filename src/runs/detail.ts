import { PageConfig } from '@jupyterlab/coreutils';
import { Panel, Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { Artifact, ChangeEvent, RunInfo } from '../api/types';
import { h, replaceChildren } from '../common/dom';
import { tickDurations } from '../common/durations';
import { formatBytes, formatSeconds, formatTime, runDuration, userLabel } from '../common/format';
import { isActive, statusBadge } from '../common/status';
import { keyValueTable, metricsTable } from '../common/tables';
import { IMLExt } from '../tokens';
import { MetricChart } from './chart';
import { LogTail } from './logTail';
import { preferredKey, withMetrics } from './metrics';
import { describeSource } from './source';

const RELOAD_SPACING_MS = 500;

/**
 * Everything about one run, kept current from the change feed: its
 * attributes, params, tags, latest metrics with a chart, the log tail
 * (followed while the run goes on) and its artifacts with download links.
 */
export class RunDetail extends Panel {
  constructor(options: RunDetail.IOptions) {
    super();
    this.runId = options.runId;
    this._service = options.service;
    this._cancelRun = options.cancelRun;
    this._openRun = options.openRun;
    this._openPath = options.openPath;
    this.id = `jp-mlext-run-${options.runId}`;
    this.addClass('jp-mlext-panel');
    this.addClass('jp-mlext-run-detail');
    this.title.label = `Run ${options.runId.slice(0, 8)}`;
    this.title.closable = true;

    this._header = h('div', { class: 'jp-mlext-toolbar' });
    this._summary = h('dl', { class: 'jp-mlext-summary' });
    this._error = h('div', { class: 'jp-mlext-error', role: 'alert' });
    this._params = h('div', {});
    this._tags = h('div', {});
    this._metrics = h('div', {});
    this._metricSelect = h('select', { 'aria-label': 'Metric to chart' });
    this._metricSelect.addEventListener('change', () => this._chartMetric(this._metricSelect.value || null));
    this._artifacts = h('div', {});
    this._log = new LogTail(options.service.client);
    this.chart = new MetricChart({
      client: options.service.client,
      maxPoints: () => this._service.settings.chartMaxPoints
    });

    this.addWidget(
      new Widget({
        node: h(
          'div',
          {},
          this._header,
          this._error,
          this._summary,
          section('Metrics', this._metrics),
          h('label', { class: 'jp-mlext-field' }, 'Chart ', this._metricSelect)
        )
      })
    );
    this.addWidget(this.chart);
    this.addWidget(
      new Widget({
        node: h(
          'div',
          {},
          section('Log', this._log.node),
          section('Params', this._params),
          section('Tags', this._tags),
          section('Artifacts', this._artifacts)
        )
      })
    );
    this._service.events.received.connect(this._onEvent, this);
    this._service.events.resumed.connect(() => void this.load(), this);
    void this.load().then(() => this._log.follow(this.runId));
    this._ticker = window.setInterval(() => tickDurations(this._summary), 1000);
  }

  readonly runId: string;
  readonly chart: MetricChart;

  /**
   * Fetch the run and its artifacts again.
   */
  async load(): Promise<void> {
    try {
      const [run, artifacts] = await Promise.all([
        this._service.client.getRun(this.runId),
        this._service.client.artifacts(this.runId)
      ]);
      if (this.isDisposed) {
        return;
      }
      this._error.textContent = '';
      await this._loadParent(run);
      if (this.isDisposed) {
        return;
      }
      this._showRun(run);
      this._showArtifacts(artifacts);
    } catch (reason) {
      if (!this.isDisposed) {
        this._error.textContent = `Loading run ${this.runId} failed: ${errorMessage(reason)}`;
      }
    }
  }

  /**
   * The parent run, for its name on the Parent link (its id stands in when it cannot be read).
   */
  private async _loadParent(run: RunInfo): Promise<void> {
    if (run.parent_id === null || this._parentRun?.id === run.parent_id) {
      return;
    }
    try {
      this._parentRun = await this._service.client.getRun(run.parent_id);
    } catch {
      this._parentRun = null;
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._log.stop();
    window.clearTimeout(this._reloadTimer);
    window.clearInterval(this._ticker);
    super.dispose();
  }

  private _showRun(run: RunInfo): void {
    const first = this._run === null;
    this._run = run;
    this.title.label = `Run ${run.name}`;
    this.title.caption = `${run.experiment} / ${run.name} (${run.id})`;
    this.node.dataset.status = run.status;
    replaceChildren(
      this._header,
      h('h2', { class: 'jp-mlext-title' }, run.name),
      statusBadge(run.status),
      isActive(run.status)
        ? h(
            'button',
            {
              class: 'jp-mlext-button jp-mlext-danger',
              'aria-label': `Cancel run ${run.name}`,
              onclick: () => void this._cancelRun(run.id)
            },
            'Cancel'
          )
        : null,
      h('button', { class: 'jp-mlext-button', onclick: () => void this.load() }, 'Refresh')
    );
    const duration = runDuration(run, Date.now() / 1000);
    const source = describeSource(run, PageConfig.getOption('serverRoot'));
    const facts: [string, string | HTMLElement | null][] = [
      ['Id', run.id],
      ['Experiment', run.experiment],
      ['Parent', run.parent_id === null ? null : this._parentLink(run.parent_id)],
      ['Created', formatTime(run.created_at)],
      ['Started', formatTime(run.started_at)],
      ['Ended', formatTime(run.ended_at)],
      ['Duration', duration === null ? null : formatSeconds(duration)],
      ['User', userLabel(run.user)],
      ['Compute', run.compute],
      ['Source', source === null ? null : this._sourceNode(source.label, source.path)],
      ['Git commit', run.git_commit],
      ['Snapshot', run.snapshot_id],
      ['Error', run.error]
    ];
    replaceChildren(
      this._summary,
      ...facts
        .filter(([, value]) => value)
        .flatMap(([label, value]) => [
          h('dt', {}, label),
          h(
            'dd',
            {
              'data-running-since': label === 'Duration' && isActive(run.status) ? run.started_at : null,
              'data-fact': label.toLowerCase()
            },
            value as string | HTMLElement
          )
        ])
    );
    replaceChildren(this._params, keyValueTable(run.params, { label: 'Params', empty: 'No params.' }));
    replaceChildren(this._tags, keyValueTable(run.tags, { label: 'Tags', empty: 'No tags.' }));
    replaceChildren(this._metrics, latestMetrics(run));
    const keys = Object.keys(run.metrics).sort();
    const current = this.chart.key;
    const wanted = current !== null && keys.includes(current) ? current : preferredKey([run], keys);
    replaceChildren(this._metricSelect, ...keys.map(key => h('option', { value: key, selected: key === wanted }, key)));
    if (first || wanted !== current) {
      this._chartMetric(wanted);
    }
  }

  private _parentLink(parentId: string): HTMLElement {
    const name = this._parentRun?.id === parentId ? this._parentRun.name : parentId;
    return h(
      'a',
      {
        class: 'jp-mlext-parent-link',
        href: '#',
        'data-run-id': parentId,
        title: `Open the details of the parent run ${name} (${parentId})`,
        onclick: ((event: MouseEvent) => {
          event.preventDefault();
          this._openRun(parentId);
        }) as EventListener
      },
      name
    );
  }

  private _sourceNode(label: string, path: string | null): HTMLElement | string {
    if (path === null) {
      return label;
    }
    return h(
      'a',
      {
        class: 'jp-mlext-source-link',
        href: '#',
        'data-path': path,
        title: `Open ${path}`,
        onclick: ((event: MouseEvent) => {
          event.preventDefault();
          this._openPath(path);
        }) as EventListener
      },
      label
    );
  }

  private _showArtifacts(artifacts: Artifact[]): void {
    if (artifacts.length === 0) {
      replaceChildren(this._artifacts, h('p', { class: 'jp-mlext-muted' }, 'No artifacts.'));
      return;
    }
    replaceChildren(
      this._artifacts,
      h(
        'ul',
        { class: 'jp-mlext-artifacts', 'aria-label': 'Artifacts' },
        ...artifacts.map(artifact =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: this._service.client.artifactUrl(this.runId, artifact.path),
                download: artifact.path.split('/').pop() ?? artifact.path,
                title: `sha256 ${artifact.sha256}`
              },
              artifact.path
            ),
            h('span', { class: 'jp-mlext-muted' }, ` ${formatBytes(artifact.size)}`)
          )
        )
      )
    );
  }

  private _chartMetric(key: string | null): void {
    const label = this._run?.name ?? this.runId;
    void this.chart.plot([{ id: this.runId, label }], key);
  }

  private _onEvent(_: unknown, event: ChangeEvent): void {
    if (event.run_id !== this.runId) {
      return;
    }
    if (event.kind === 'metrics') {
      const series = event.data.series;
      for (const key of Object.keys(series)) {
        this.chart.append(this.runId, key, series[key]);
      }
      const run = this._run;
      if (run) {
        const known = Object.keys(series).every(key => key in run.metrics);
        this._run = withMetrics(run, series);
        if (known) {
          replaceChildren(this._metrics, latestMetrics(this._run));
        } else {
          this._showRun(this._run);
        }
      }
    } else {
      this._scheduleReload();
      if (event.kind === 'status') {
        this._log.poke();
      }
    }
  }

  private _scheduleReload(): void {
    if (this._reloadTimer) {
      return;
    }
    this._reloadTimer = window.setTimeout(() => {
      this._reloadTimer = 0;
      void this.load();
    }, RELOAD_SPACING_MS);
  }

  private _service: IMLExt;
  private _cancelRun: (id: string) => Promise<void>;
  private _openRun: (id: string) => void;
  private _openPath: (path: string) => void;
  private _run: RunInfo | null = null;
  private _parentRun: RunInfo | null = null;
  private _header: HTMLElement;
  private _summary: HTMLElement;
  private _error: HTMLElement;
  private _params: HTMLElement;
  private _tags: HTMLElement;
  private _metrics: HTMLElement;
  private _metricSelect: HTMLSelectElement;
  private _artifacts: HTMLElement;
  private _log: LogTail;
  private _reloadTimer = 0;
  private _ticker: number;
}

export namespace RunDetail {
  export interface IOptions {
    runId: string;
    service: IMLExt;
    cancelRun: (id: string) => Promise<void>;
    /**
     * Open another run's details (the Parent link).
     */
    openRun: (id: string) => void;
    /**
     * Open a file of the Jupyter root (the source notebook).
     */
    openPath: (path: string) => void;
  }
}

function section(title: string, content: HTMLElement): HTMLElement {
  return h('section', { class: 'jp-mlext-section' }, h('h3', { class: 'jp-mlext-section-title' }, title), content);
}

/**
 * The run's latest metrics, with their last step and number of points.
 */
function latestMetrics(run: RunInfo): HTMLElement {
  return metricsTable(run, { label: 'Latest metrics', empty: 'No metrics yet.', steps: true });
}
