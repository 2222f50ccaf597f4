import { Widget } from '@lumino/widgets';

import { ComputeModel } from './computeModel';
import { h, keepingFocus, replaceChildren } from './dom';
import { formatTime } from './format';
import { statusBadge } from './status';
import { IMLExt } from './tokens';
import { IComputeTarget, IRunInfo } from './types';

/**
 * The Compute sidebar panel: compute targets (kind, address, concurrency,
 * busy and queued counts), the runs not ended yet with a Cancel button for
 * submitted ones, and a button to submit a script.
 */
export class ComputePanel extends Widget {
  constructor(options: ComputePanel.IOptions) {
    super();
    this.id = 'jp-mlext-compute';
    this.title.caption = 'ML compute';
    this.addClass('jp-mlext-panel');
    this.addClass('jp-mlext-compute-panel');
    this.model = new ComputeModel(options.service);
    this._options = options;
    this._error = h('div', { class: 'jp-mlext-error', role: 'alert' });
    this._targets = h('div', { class: 'jp-mlext-table-scroll' });
    this._queue = h('div', { class: 'jp-mlext-table-scroll' });
    this.node.append(
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h2', { class: 'jp-mlext-title' }, 'Compute'),
        h('button', { class: 'jp-mlext-button', onclick: () => void this.model.refresh() }, 'Refresh'),
        h(
          'button',
          { class: 'jp-mlext-button jp-mlext-accept', onclick: () => options.submit() },
          'Submit script…'
        )
      ),
      this._error,
      h('h3', { class: 'jp-mlext-section-title' }, 'Targets'),
      this._targets,
      h('h3', { class: 'jp-mlext-section-title' }, 'Queue'),
      this._queue
    );
    this.model.changed.connect(this._render, this);
    this._render();
  }

  readonly model: ComputeModel;

  ensureLoaded(): Promise<void> {
    if (!this._loaded) {
      this._loaded = this.model.refresh();
    }
    return this._loaded;
  }

  dispose(): void {
    if (!this.isDisposed) {
      this.model.dispose();
      super.dispose();
    }
  }

  protected onAfterShow(): void {
    void this.ensureLoaded();
  }

  private _render(): void {
    this._error.textContent = this.model.error ?? '';
    replaceChildren(this._targets, targetsTable(this.model.targets));
    keepingFocus(this._queue, () => replaceChildren(this._queue, this._queueTable(this.model.queue)));
  }

  private _queueTable(runs: ReadonlyArray<IRunInfo>): HTMLElement {
    if (runs.length === 0) {
      return h('p', { class: 'jp-mlext-muted' }, 'No queued or running runs.');
    }
    return h(
      'table',
      { class: 'jp-mlext-table jp-mlext-queue', 'aria-label': 'Queued and running runs' },
      h(
        'thead',
        {},
        h('tr', {}, ...['Status', 'Run', 'Target', 'Since', ''].map(label => h('th', { scope: 'col' }, label)))
      ),
      h(
        'tbody',
        {},
        ...runs.map(run =>
          h(
            'tr',
            { 'data-run-id': run.id, 'data-status': run.status },
            h('td', {}, statusBadge(run.status, true)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  class: 'jp-mlext-link',
                  title: `${run.experiment} / ${run.id}`,
                  'data-focus-key': `open:${run.id}`,
                  onclick: () => this._options.openRun(run.id)
                },
                run.name
              )
            ),
            h('td', {}, run.compute ?? 'notebook'),
            h('td', {}, formatTime(run.started_at ?? run.created_at)),
            h(
              'td',
              {},
              run.compute
                ? h(
                    'button',
                    {
                      class: 'jp-mlext-button jp-mlext-danger',
                      'aria-label': `Cancel run ${run.name}`,
                      onclick: () => void this._options.cancelRun(run.id)
                    },
                    'Cancel'
                  )
                : null
            )
          )
        )
      )
    );
  }

  private _options: ComputePanel.IOptions;
  private _error: HTMLElement;
  private _targets: HTMLElement;
  private _queue: HTMLElement;
  private _loaded: Promise<void> | null = null;
}

export namespace ComputePanel {
  export interface IOptions {
    service: IMLExt;
    submit: () => void;
    openRun: (id: string) => void;
    cancelRun: (id: string) => Promise<void>;
  }
}

function targetsTable(targets: ReadonlyArray<IComputeTarget>): HTMLElement {
  if (targets.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'No compute targets.');
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-targets', 'aria-label': 'Compute targets' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['Name', 'Kind', 'Address', 'Slots', 'Busy', 'Queued'].map(label => h('th', { scope: 'col' }, label))
      )
    ),
    h(
      'tbody',
      {},
      ...targets.map(target =>
        h(
          'tr',
          { 'data-target': target.name },
          h('th', { scope: 'row' }, target.name),
          h('td', {}, target.kind),
          h('td', {}, target.address ?? '—'),
          h('td', { class: 'jp-mlext-number' }, String(target.concurrency)),
          h('td', { class: 'jp-mlext-number', 'data-busy': target.busy }, String(target.busy)),
          h('td', { class: 'jp-mlext-number', 'data-queued': target.queued }, String(target.queued))
        )
      )
    )
  );
}
