import { Widget } from '@lumino/widgets';

import { LiveIndicator } from '../common/connection';
import { h, keepingFocus, replaceChildren } from '../common/dom';
import { ColumnFitter } from '../common/fit';
import { IMLExt } from '../tokens';
import { ComputeModel } from './model';
import { queueTable, targetsTable } from './views';

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
    this._live = new LiveIndicator(options.service.events);
    this._fitters = [new ColumnFitter(this._targets), new ColumnFitter(this._queue)];
    this.node.append(
      h(
        'div',
        { class: 'jp-mlext-toolbar' },
        h('h2', { class: 'jp-mlext-title' }, 'Compute'),
        this._live.node,
        h('button', { class: 'jp-mlext-button', onclick: () => void this.model.refresh() }, 'Refresh'),
        h('button', { class: 'jp-mlext-button jp-mlext-accept', onclick: () => options.submit() }, 'Submit script…')
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
      this._live.dispose();
      this._fitters.forEach(fitter => fitter.dispose());
      this.model.dispose();
      super.dispose();
    }
  }

  protected onAfterShow(): void {
    void this.ensureLoaded();
  }

  private _render(): void {
    this.node.dataset.loading = this.model.loading ? 'true' : 'false';
    this._error.textContent = this.model.error ?? '';
    replaceChildren(this._targets, targetsTable(this.model.targets));
    keepingFocus(this._queue, () => replaceChildren(this._queue, queueTable(this.model.queue, this._options)));
    this._fitters.forEach(fitter => fitter.fit());
  }

  private _options: ComputePanel.IOptions;
  private _error: HTMLElement;
  private _targets: HTMLElement;
  private _queue: HTMLElement;
  private _live: LiveIndicator;
  private _fitters: ColumnFitter[];
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
