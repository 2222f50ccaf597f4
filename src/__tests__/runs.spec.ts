import { MLExtAPIError } from '../api/errors';
import { RunsModel } from '../runs/model';
import { fakeService, flush, IFakeService, makeRun, series } from './utils';

jest.mock('../api/client');

const RELOAD_MS = 300;

function page(runs = [makeRun('a'), makeRun('b')], next: string | null = null) {
  return { runs, next_page_token: next };
}

describe('RunsModel', () => {
  let service: IFakeService;
  let model: RunsModel;

  beforeEach(() => {
    jest.useFakeTimers();
    service = fakeService();
    service.client.experiments.mockResolvedValue([
      { id: 1, name: 'exp', created_at: 1, run_count: 2 },
      { id: 2, name: 'other', created_at: 2, run_count: 5 }
    ]);
    service.client.searchRuns.mockResolvedValue(page());
    model = new RunsModel(service);
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  async function refreshed(settings = {}): Promise<void> {
    service.load(settings);
    await model.refresh();
  }

  it('waits for the settings, then shows the default experiment, one page of the page size', async () => {
    const refresh = model.refresh();
    await flush();
    expect(service.client.searchRuns).not.toHaveBeenCalled();
    service.load({ defaultExperiment: 'exp', pageSize: 25 });
    await refresh;
    expect(model.experiment).toBe('exp');
    expect(service.client.searchRuns).toHaveBeenCalledWith({
      experiment: ['exp'],
      filter: '',
      order_by: undefined,
      max_results: 25,
      page_token: undefined
    });
    expect(model.runs.map(run => run.id)).toEqual(['a', 'b']);
    expect(model.experiments.map(experiment => experiment.name)).toEqual(['exp', 'other']);
    expect(model.loading).toBe(false);
  });

  it('shows every experiment when no default is set', async () => {
    await refreshed();
    expect(model.experiment).toBeNull();
    expect(service.client.searchRuns.mock.calls[0][0].experiment).toBeUndefined();
  });

  it('sorts metrics and times newest/largest first, names A to Z, and flips on a second click', async () => {
    await refreshed();
    await model.toggleSort('metrics.loss');
    expect(model.sort).toEqual({ field: 'metrics.loss', direction: 'DESC' });
    expect(service.client.searchRuns).toHaveBeenLastCalledWith(
      expect.objectContaining({ order_by: ['metrics.loss DESC'] })
    );
    await model.toggleSort('metrics.loss');
    expect(model.sort?.direction).toBe('ASC');
    await model.toggleSort('name');
    expect(model.sort).toEqual({ field: 'name', direction: 'ASC' });
    await model.toggleSort('started_at');
    expect(model.sort?.direction).toBe('DESC');
  });

  it('pages forward with the server token and back to the previous page', async () => {
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('a')], 'token-2'));
    await refreshed();
    expect(model.hasNextPage).toBe(true);
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('c')], null));
    await model.nextPage();
    expect(model.pageIndex).toBe(1);
    expect(service.client.searchRuns).toHaveBeenLastCalledWith(expect.objectContaining({ page_token: 'token-2' }));
    expect(model.hasNextPage).toBe(false);
    await model.nextPage();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(2);
    await model.previousPage();
    expect(model.pageIndex).toBe(0);
    expect(service.client.searchRuns).toHaveBeenLastCalledWith(expect.objectContaining({ page_token: undefined }));
  });

  it('a new filter starts again from the first page', async () => {
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('a')], 'token-2'));
    await refreshed();
    await model.nextPage();
    await model.setFilter("  status = 'Failed' ");
    expect(model.pageIndex).toBe(0);
    expect(service.client.searchRuns).toHaveBeenLastCalledWith(
      expect.objectContaining({ filter: "status = 'Failed'", page_token: undefined })
    );
  });

  it('a filter the server refuses keeps the runs shown and names the field', async () => {
    await refreshed();
    service.client.searchRuns.mockRejectedValueOnce(new MLExtAPIError(400, 'unknown field foo', 'filter'));
    await model.setFilter('foo = 1');
    expect(model.error).toEqual({ message: 'unknown field foo', field: 'filter' });
    expect(model.runs).toHaveLength(2);
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('a')]));
    await model.setFilter('');
    expect(model.error).toBeNull();
  });

  it('any other failure empties the page and says why', async () => {
    await refreshed();
    service.client.searchRuns.mockRejectedValueOnce(new MLExtAPIError(500, '500 Internal Server Error'));
    await model.reload();
    expect(model.error).toEqual({ message: '500 Internal Server Error', field: undefined });
    expect(model.runs).toHaveLength(0);
    expect(model.hasNextPage).toBe(false);
  });

  it('says when the experiments could not be loaded, and still shows the runs', async () => {
    service.client.experiments.mockRejectedValueOnce(new MLExtAPIError(403, 'Forbidden'));
    await refreshed();
    expect(model.experimentsError).toBe('Loading experiments failed: Forbidden');
    expect(model.runs).toHaveLength(2);
  });

  it('drops the answer of an older request that arrives last', async () => {
    await refreshed();
    let answerSlow: (value: ReturnType<typeof page>) => void = () => undefined;
    service.client.searchRuns.mockReturnValueOnce(new Promise(resolve => (answerSlow = resolve)));
    const slow = model.setFilter('slow');
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('fast')]));
    await model.setFilter('fast');
    answerSlow(page([makeRun('slow')]));
    await slow;
    expect(model.runs.map(run => run.id)).toEqual(['fast']);
  });

  it('keeps the selection in selection order across pages, with fresh data when a run is shown again', async () => {
    await refreshed();
    model.toggleSelected('b');
    model.toggleSelected('a');
    expect(model.selected.map(run => run.id)).toEqual(['b', 'a']);
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('c')]));
    await model.setFilter('c');
    expect(model.selected.map(run => run.id)).toEqual(['b', 'a']);
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('a', { status: 'Failed' })]));
    await model.setFilter('');
    expect(model.selected.map(run => run.status)).toEqual(['Completed', 'Failed']);
    model.toggleSelected('a');
    expect(model.isSelected('a')).toBe(false);
    model.clearSelection();
    expect(model.selected).toHaveLength(0);
  });

  it('shows a status change at once and reloads once for a burst of them', async () => {
    await refreshed();
    const changed = jest.fn();
    model.changed.connect(changed);
    service.fakeEvents.emit({ kind: 'status', run_id: 'a', data: { status: 'Failed', previous: 'Running' } });
    service.fakeEvents.emit({ kind: 'status', run_id: 'b', data: { status: 'Failed', previous: 'Running' } });
    expect(model.runs.map(run => run.status)).toEqual(['Failed', 'Failed']);
    expect(changed).toHaveBeenCalled();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(2);
  });

  it('reloads the page and the experiments for a new run of the experiment shown, not of another', async () => {
    await refreshed({ defaultExperiment: 'exp' });
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'z',
      data: { experiment: 'other', parent_id: null, status: 'Running' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(1);
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'y',
      data: { experiment: 'exp', parent_id: null, status: 'Running' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(2);
    expect(service.client.experiments).toHaveBeenCalledTimes(2);
  });

  it('ignores the feed until it has shown something', () => {
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'y',
      data: { experiment: 'exp', parent_id: null, status: 'Running' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    expect(service.client.searchRuns).not.toHaveBeenCalled();
  });

  it('folds metric events into the latest values and passes them on for the selected runs', async () => {
    service.client.searchRuns.mockResolvedValue(
      page([
        makeRun('a', {
          metrics: { loss: { key: 'loss', last: 0.9, min: 0.9, max: 0.9, last_step: 0, last_timestamp: 1, count: 1 } }
        }),
        makeRun('b')
      ])
    );
    await refreshed();
    model.toggleSelected('a');
    const arrived = jest.fn();
    model.metricsArrived.connect((_, value) => arrived(value));
    const points = series([1, 2], [0.5, 'NaN']);
    service.fakeEvents.emit({ kind: 'metrics', run_id: 'a', data: { series: { loss: points } } });
    const loss = model.runs[0].metrics.loss;
    expect(loss).toMatchObject({ last: 'NaN', min: 0.5, max: 0.9, last_step: 2, count: 3 });
    expect(model.selected[0].metrics.loss.last).toBe('NaN');
    expect(arrived).toHaveBeenCalledWith({ runId: 'a', key: 'loss', series: points });
    service.fakeEvents.emit({ kind: 'metrics', run_id: 'b', data: { series: { acc: series([0], [1]) } } });
    expect(arrived).toHaveBeenCalledTimes(1);
    expect(model.runs[1].metrics.acc.last).toBe(1);
  });

  it('reloads everything when the feed resumed after a disconnection', async () => {
    await refreshed();
    service.fakeEvents.resume();
    await flush();
    expect(service.client.searchRuns).toHaveBeenCalledTimes(2);
    expect(service.client.experiments).toHaveBeenCalledTimes(2);
  });

  it('a new page size starts again from the first page', async () => {
    service.client.searchRuns.mockResolvedValueOnce(page([makeRun('a')], 'token-2'));
    await refreshed({ pageSize: 10 });
    await model.nextPage();
    service.load({ pageSize: 50 });
    await flush();
    expect(model.pageIndex).toBe(0);
    expect(service.client.searchRuns).toHaveBeenLastCalledWith(
      expect.objectContaining({ max_results: 50, page_token: undefined })
    );
  });
});
