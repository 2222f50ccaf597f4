import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from './api';
import { IMLExt } from './tokens';
import { ACTIVE_STATUSES, IChangeEvent, IComputeTarget, IRunInfo } from './types';

const REFRESH_SPACING_MS = 300;
const QUEUE_LENGTH = 500;

/**
 * The filter (search language) of runs that have not ended.
 */
export const ACTIVE_FILTER = `status IN (${ACTIVE_STATUSES.map(status => `'${status}'`).join(', ')})`;

/**
 * The Compute panel's state: the compute targets with their busy and queued
 * counts, and the runs not ended yet (oldest first). Reloaded when runs are
 * created or change status.
 */
export class ComputeModel implements IDisposable {
  constructor(service: IMLExt) {
    this._service = service;
    service.events.received.connect(this._onEvent, this);
    service.events.resumed.connect(this._onResumed, this);
  }

  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get targets(): ReadonlyArray<IComputeTarget> {
    return this._targets;
  }

  get queue(): ReadonlyArray<IRunInfo> {
    return this._queue;
  }

  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      window.clearTimeout(this._timer);
      Signal.clearData(this);
    }
  }

  async refresh(): Promise<void> {
    this._following = true;
    const request = ++this._requests;
    const client = this._service.client;
    const [targets, queue] = await Promise.allSettled([
      client.computeTargets(),
      client.searchRuns({ filter: ACTIVE_FILTER, orderBy: 'created_at ASC', maxResults: QUEUE_LENGTH })
    ]);
    if (request !== this._requests || this._disposed) {
      return;
    }
    const errors: string[] = [];
    if (targets.status === 'fulfilled') {
      this._targets = targets.value;
    } else {
      errors.push(`Loading compute targets failed: ${errorMessage(targets.reason)}`);
    }
    if (queue.status === 'fulfilled') {
      this._queue = queue.value.runs;
    } else {
      errors.push(`Loading the queue failed: ${errorMessage(queue.reason)}`);
    }
    this._error = errors.length ? errors.join(' ') : null;
    this._changed.emit();
  }

  /**
   * Once shown, the model follows the change feed (not before: nobody looks).
   */
  private _onEvent(_: unknown, event: IChangeEvent): void {
    if (!this._following || (event.kind !== 'run_created' && event.kind !== 'status') || this._timer) {
      return;
    }
    this._timer = window.setTimeout(() => {
      this._timer = 0;
      void this.refresh();
    }, REFRESH_SPACING_MS);
  }

  private _onResumed(): void {
    if (this._following) {
      void this.refresh();
    }
  }

  private _service: IMLExt;
  private _targets: IComputeTarget[] = [];
  private _queue: IRunInfo[] = [];
  private _error: string | null = null;
  private _requests = 0;
  private _following = false;
  private _timer = 0;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
