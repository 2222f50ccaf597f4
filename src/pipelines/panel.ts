import { Widget } from '@lumino/widgets';

import { LiveIndicator } from '../common/connection';
import { h, keepingFocus, replaceChildren } from '../common/dom';
import { ColumnFitter } from '../common/fit';
import { tickDurations } from '../common/durations';
import { formatTime } from '../common/format';
import { runStateBadge } from '../common/status';
import { IMLExt } from '../tokens';
import { cancelPipelineRunDialog, triggerPipelineDialog } from './dialogs';
import { pipelineGraph, zoomToFit } from './graph';
import { PipelinesModel } from './model';
import { pipelineRunsTable, pipelineSummary } from './views';

/**
 * The Pipelines sidebar panel: published pipelines (versions, params,
 * schedule), the runs of the selected one (status, start, duration), and the
 * selected run drawn as its DAG with each step's live status; a step opens
 * its run, Run… starts the pipeline with chosen params, Cancel stops a
 * running run.
 */
export class PipelinesPanel extends Widget {
  constructor(options: PipelinesPanel.IOptions) {
    super();
    this.id = 'jp-mlext-pipelines';
    this.title.caption = 'ML pipelines';
    this.addClass('jp-mlext-panel');
    this.addClass('jp-mlext-pipelines-panel');
    this._openRun = options.openRun;
    this.model = new PipelinesModel(options.service);
    this._live = new LiveIndicator(options.service.events);
    this._runButton = h(
      'button',
      {
        class: 'jp-mlext-button jp-mlext-accept',
        title: 'Run the selected pipeline with params you choose',
        onclick: () => void this.runPipeline()
      },
      'Run…'
    );
    this._error = h('div', { class: 'jp-mlext-error', role: 'alert' });
    this._list = h('div', {
      class: 'jp-mlext-experiments jp-mlext-pipeline-list',
      role: 'group',
      'aria-label': 'Pipelines'
    });
    this._pipelineTitle = h('h3', { class: 'jp-mlext-section-title' }, 'Pipeline');
    this._summary = h('div', {});
    this._runsTitle = h('h3', { class: 'jp-mlext-section-title' }, 'Runs');
    this._runs = h('div', { class: 'jp-mlext-table-scroll jp-mlext-pipeline-runs-scroll' });
    this._runHeader = h('div', { class: 'jp-mlext-toolbar jp-mlext-pipeline-run-header' });
    this._graph = h('div', { class: 'jp-mlext-dag-scroll' });
    this._runError = h('div', { class: 'jp-mlext-error', role: 'status' });
    this.node.append(
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h2', { class: 'jp-mlext-title' }, 'Pipelines'),
        this._live.node,
        h(
          'button',
          { class: 'jp-mlext-button', title: 'Reload pipelines and runs', onclick: () => void this.refresh() },
          'Refresh'
        ),
        this._runButton
      ),
      this._error,
      this._list,
      this._pipelineTitle,
      this._summary,
      this._runsTitle,
      this._runs,
      this._runHeader,
      this._graph,
      this._runError
    );
    this._fitter = new ColumnFitter(this._runs);
    if (typeof ResizeObserver !== 'undefined') {
      this._graphResize = new ResizeObserver(() => this._zoomGraph());
      this._graphResize.observe(this._graph);
    }
    this.model.changed.connect(this._render, this);
    this._ticker = window.setInterval(() => tickDurations(this._runs), 1000);
    this._render();
  }

  readonly model: PipelinesModel;

  /**
   * Reload the pipelines; every showing reloads them (publishing is not on
   * the change feed), runs follow the change feed once loaded.
   */
  refresh(): Promise<void> {
    return this.model.refresh();
  }

  /**
   * The "Run…" dialog for the selected pipeline.
   */
  runPipeline(): Promise<string | null> {
    return triggerPipelineDialog(this.model);
  }

  /**
   * Confirm, then cancel the selected run.
   */
  cancelRun(): Promise<void> {
    return cancelPipelineRunDialog(this.model);
  }

  dispose(): void {
    if (!this.isDisposed) {
      window.clearInterval(this._ticker);
      this._live.dispose();
      this._fitter.dispose();
      this._graphResize?.disconnect();
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
    const name = model.selectedPipeline;
    this._runButton.disabled = model.description === null;
    this._runButton.setAttribute('aria-label', name ? `Run pipeline ${name}…` : 'Run a pipeline…');
    this._renderList();
    this._pipelineTitle.textContent = name ? `Pipeline ${name}` : 'Pipeline';
    replaceChildren(
      this._summary,
      model.description ? pipelineSummary(model.description) : h('p', { class: 'jp-mlext-muted' }, 'Select a pipeline.')
    );
    this._runsTitle.textContent = name ? `Runs of ${name}` : 'Runs';
    keepingFocus(this._runs, () =>
      replaceChildren(
        this._runs,
        name === null
          ? h('p', { class: 'jp-mlext-muted' }, 'No pipeline selected.')
          : pipelineRunsTable(name, model.runs, model.selectedRunId, id => void model.selectRun(id))
      )
    );
    this._fitter.fit();
    this._renderRun();
  }

  private _renderList(): void {
    const model = this.model;
    const items = model.pipelines.map(pipeline => {
      const scheduled = pipeline.schedule?.enabled ? ` · scheduled ${pipeline.schedule.cron}` : '';
      return h(
        'button',
        {
          class: 'jp-mlext-experiment jp-mlext-pipeline',
          'aria-pressed': model.selectedPipeline === pipeline.name ? 'true' : 'false',
          'data-pipeline': pipeline.name,
          'data-focus-key': `pipeline:${pipeline.name}`,
          title: `${pipeline.name}: ${pipeline.version_count} versions, latest v${pipeline.latest_version}${scheduled}`,
          onclick: () => void model.selectPipeline(pipeline.name)
        },
        h('span', { class: 'jp-mlext-experiment-name' }, pipeline.name),
        pipeline.schedule?.enabled
          ? h(
              'span',
              { class: 'jp-mlext-pipeline-scheduled', 'aria-label': `scheduled ${pipeline.schedule.cron}` },
              '⏱'
            )
          : null,
        h(
          'span',
          { class: 'jp-mlext-count', 'aria-label': `latest version ${pipeline.latest_version}` },
          `v${pipeline.latest_version}`
        )
      );
    });
    keepingFocus(this._list, () =>
      replaceChildren(
        this._list,
        ...(items.length
          ? items
          : [
              h(
                'p',
                { class: 'jp-mlext-muted jp-mlext-empty' },
                model.loading ? 'Loading pipelines…' : 'No pipelines published yet (mlext pipeline publish DIR).'
              )
            ])
      )
    );
  }

  private _renderRun(): void {
    const run = this.model.run;
    if (run === null) {
      replaceChildren(this._runHeader);
      replaceChildren(
        this._graph,
        this.model.selectedRunId ? h('p', { class: 'jp-mlext-muted' }, 'Loading the run…') : null
      );
      this._runError.textContent = '';
      return;
    }
    const label = `run ${run.run_id.slice(0, 8)} of ${run.pipeline}`;
    keepingFocus(this._runHeader, () =>
      replaceChildren(
        this._runHeader,
        h('h3', { class: 'jp-mlext-section-title' }, `Steps of run ${formatTime(run.created_at)}`),
        runStateBadge(run.state),
        h(
          'button',
          {
            class: 'jp-mlext-button',
            'aria-label': `Open the parent run of ${label}`,
            'data-focus-key': 'open-parent',
            onclick: () => this._openRun(run.run_id)
          },
          'Open run'
        ),
        h(
          'button',
          {
            class: 'jp-mlext-button',
            'aria-pressed': this._actualSize ? 'true' : 'false',
            title: this._actualSize ? 'Zoom the steps to fit the panel' : 'Show the steps at their actual size',
            'data-focus-key': 'zoom',
            onclick: () => {
              this._actualSize = !this._actualSize;
              this._renderRun();
            }
          },
          this._actualSize ? 'Fit' : '100%'
        ),
        run.state === 'Running'
          ? h(
              'button',
              {
                class: 'jp-mlext-button jp-mlext-danger',
                title: 'Stop its running steps and start no further step',
                'aria-label': `Cancel ${label}`,
                'data-focus-key': 'cancel-run',
                onclick: () => void this.cancelRun()
              },
              'Cancel'
            )
          : null
      )
    );
    this._graph.dataset.runId = run.run_id;
    this._graph.dataset.state = run.state;
    keepingFocus(this._graph, () =>
      replaceChildren(this._graph, pipelineGraph(run.steps, { label, openRun: this._openRun }))
    );
    this._zoomGraph();
    this._runError.textContent = run.error ?? '';
  }

  /**
   * Zoom the drawn graph to fit the panel's width (unless shown at its actual size); `data-zoom` says how.
   */
  private _zoomGraph(): void {
    const graph = this._graph.querySelector<HTMLElement>('.jp-mlext-dag');
    if (!graph) {
      return;
    }
    const available = this._graph.clientWidth;
    if (available === 0) {
      return;
    }
    const zoom = this._actualSize ? 1 : zoomToFit(Number(graph.dataset.width), available);
    graph.style.zoom = zoom === 1 ? '' : String(zoom);
    this._graph.dataset.zoom = String(zoom);
  }

  private _openRun: (id: string) => void;
  private _live: LiveIndicator;
  private _fitter: ColumnFitter;
  private _graphResize: ResizeObserver | null = null;
  private _actualSize = false;
  private _runButton: HTMLButtonElement;
  private _error: HTMLElement;
  private _list: HTMLElement;
  private _pipelineTitle: HTMLElement;
  private _summary: HTMLElement;
  private _runsTitle: HTMLElement;
  private _runs: HTMLElement;
  private _runHeader: HTMLElement;
  private _graph: HTMLElement;
  private _runError: HTMLElement;
  private _ticker: number;
}

export namespace PipelinesPanel {
  export interface IOptions {
    service: IMLExt;
    openRun: (id: string) => void;
  }
}
