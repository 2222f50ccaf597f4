import { errorMessage } from '../api/errors';
import { ChangeEvent, ComputeTarget, RunInfo } from '../api/types';
import { PanelModel } from '../common/panelModel';
import { ACTIVE_STATUSES } from '../common/status';
import { IMLExt } from '../tokens';

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
export class ComputeModel extends PanelModel {
  constructor(service: IMLExt) {
    super(service, 'Loading compute targets and the queue failed');
    this._service = service;
    service.events.received.connect(this._onEvent, this);
  }

  get targets(): ReadonlyArray<ComputeTarget> {
    return this._targets;
  }

  get queue(): ReadonlyArray<RunInfo> {
    return this._queue;
  }

  async refresh(): Promise<void> {
    this.startFollowing();
    const request = ++this._requests;
    const client = this._service.client;
    const [targets, queue] = await Promise.allSettled([
      client.computeTargets(),
      client.searchRuns({ filter: ACTIVE_FILTER, order_by: ['created_at ASC'], max_results: QUEUE_LENGTH })
    ]);
    if (request !== this._requests || this.isDisposed) {
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
    this.setError(errors.length ? errors.join(' ') : null);
  }

  /**
   * Once shown, the model follows the change feed (not before: nobody looks).
   */
  private _onEvent(_: unknown, event: ChangeEvent): void {
    if (this.following && (event.kind === 'run_created' || event.kind === 'status')) {
      this.scheduleReload(() => void this.refresh());
    }
  }

  private _service: IMLExt;
  private _targets: ComputeTarget[] = [];
  private _queue: RunInfo[] = [];
  private _requests = 0;
}
