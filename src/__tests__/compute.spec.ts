import { MLExtAPIError } from '../api/errors';
import { ComputeModel } from '../compute/model';
import { fakeService, flush, IFakeService, makeRun } from './utils';

jest.mock('../api/client');

const RELOAD_MS = 300;

const TARGETS = [
  { name: 'local', kind: 'local' as const, address: null, concurrency: 2, created_at: 1, busy: 1, queued: 3 },
  {
    name: 'cluster',
    kind: 'dask' as const,
    address: 'tcp://10.0.0.5:8786',
    concurrency: 8,
    created_at: 2,
    busy: 0,
    queued: 0
  }
];

describe('ComputeModel', () => {
  let service: IFakeService;
  let model: ComputeModel;

  beforeEach(() => {
    jest.useFakeTimers();
    service = fakeService();
    service.client.computeTargets.mockResolvedValue(TARGETS);
    service.client.searchRuns.mockResolvedValue({
      runs: [makeRun('q1', { status: 'Queued', compute: 'local' }), makeRun('r1', { status: 'Running' })],
      next_page_token: null
    });
    model = new ComputeModel(service);
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it('loads the targets and the runs not ended yet, oldest first', async () => {
    await model.refresh();
    expect(model.targets.map(target => [target.name, target.busy, target.queued])).toEqual([
      ['local', 1, 3],
      ['cluster', 0, 0]
    ]);
    expect(model.queue.map(run => run.id)).toEqual(['q1', 'r1']);
    expect(service.client.searchRuns).toHaveBeenCalledWith({
      filter: "status IN ('Queued', 'Preparing', 'Running', 'Finalizing')",
      order_by: ['created_at ASC'],
      max_results: 500
    });
    expect(model.error).toBeNull();
  });

  it('shows what it could load and says what failed', async () => {
    service.client.searchRuns.mockRejectedValueOnce(new MLExtAPIError(500, 'database is locked'));
    await model.refresh();
    expect(model.targets).toHaveLength(2);
    expect(model.error).toBe('Loading the queue failed: database is locked');
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('names both failures when nothing loads', async () => {
    service.client.computeTargets.mockRejectedValueOnce(new MLExtAPIError(403, 'Forbidden'));
    service.client.searchRuns.mockRejectedValueOnce(new MLExtAPIError(403, 'Forbidden'));
    await model.refresh();
    expect(model.error).toBe('Loading compute targets failed: Forbidden Loading the queue failed: Forbidden');
  });

  it('follows new runs and status changes once shown, one reload per burst', async () => {
    service.fakeEvents.emit({ kind: 'status', run_id: 'r1', data: { status: 'Completed', previous: 'Running' } });
    jest.advanceTimersByTime(RELOAD_MS);
    expect(service.client.computeTargets).not.toHaveBeenCalled();
    await model.refresh();
    service.fakeEvents.emit({ kind: 'status', run_id: 'r1', data: { status: 'Completed', previous: 'Running' } });
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'q2',
      data: { experiment: 'exp', parent_id: null, status: 'Queued' }
    });
    service.fakeEvents.emit({ kind: 'artifacts', run_id: 'r1', data: { paths: ['model.pkl'] } });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.computeTargets).toHaveBeenCalledTimes(2);
  });

  it('ignores metric events, which change no queue', async () => {
    await model.refresh();
    service.fakeEvents.emit({
      kind: 'metrics',
      run_id: 'r1',
      data: { series: { loss: { count: 1, truncated: false, steps: [0], timestamps: [1], values: [1] } } }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.computeTargets).toHaveBeenCalledTimes(1);
  });

  it('reloads when the feed resumed after a disconnection', async () => {
    await model.refresh();
    service.fakeEvents.resume();
    await flush();
    expect(service.client.computeTargets).toHaveBeenCalledTimes(2);
  });
});
