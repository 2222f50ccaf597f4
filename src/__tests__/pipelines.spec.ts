import { MLExtAPIError } from '../api/errors';
import { PipelineRun, PipelineRunStep, PipelineRunSummary } from '../api/types';
import { layerSteps } from '../pipelines/graph';
import { PipelinesModel } from '../pipelines/model';
import { fakeService, flush, IFakeService } from './utils';

jest.mock('../api/client');

const RELOAD_MS = 300;

function summary(runId: string, state: PipelineRunSummary['state'] = 'Completed'): PipelineRunSummary {
  return {
    run_id: runId,
    pipeline: 'numbers',
    version: 1,
    source_dir: '/p',
    params: { alpha: 1 },
    force: false,
    trigger: 'rest',
    state,
    error: null,
    created_at: 10,
    ended_at: state === 'Running' ? null : 20
  };
}

function step(name: string, fields: Partial<PipelineRunStep> = {}): PipelineRunStep {
  return {
    name,
    kind: 'script',
    state: 'Queued',
    status: 'Running',
    run_id: `${name}-run`,
    reused_from: null,
    depends_on: [],
    inputs: {},
    outputs: [],
    compute: 'local',
    error: null,
    ...fields
  };
}

function dag(runId: string, state: PipelineRun['state'] = 'Running'): PipelineRun {
  return {
    ...summary(runId, state),
    status: state === 'Running' ? 'Running' : 'Completed',
    steps: [step('prep', { state: 'Completed', status: 'Completed' }), step('train', { depends_on: ['prep'] })]
  };
}

describe('PipelinesModel', () => {
  let service: IFakeService;
  let model: PipelinesModel;

  beforeEach(() => {
    jest.useFakeTimers();
    service = fakeService();
    const client = service.client;
    client.pipelines.mockResolvedValue([
      { name: 'numbers', latest_version: 1, version_count: 1, updated_at: 1, schedule: null },
      { name: 'words', latest_version: 2, version_count: 2, updated_at: 2, schedule: null }
    ]);
    client.describePipeline.mockImplementation(async name => ({ name, versions: [], schedule: null }));
    client.pipelineRuns.mockResolvedValue([summary('new', 'Running'), summary('old')]);
    client.pipelineRun.mockImplementation(async runId => dag(runId));
    model = new PipelinesModel(service);
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it('shows the first pipeline, its runs and the newest run as a DAG', async () => {
    await model.refresh();
    expect(model.pipelines.map(p => p.name)).toEqual(['numbers', 'words']);
    expect(model.selectedPipeline).toBe('numbers');
    expect(model.description?.name).toBe('numbers');
    expect(model.runs.map(run => run.run_id)).toEqual(['new', 'old']);
    expect(service.client.pipelineRuns).toHaveBeenCalledWith('numbers', 50);
    expect(model.selectedRunId).toBe('new');
    expect(model.run?.steps.map(s => s.name)).toEqual(['prep', 'train']);
  });

  it('selecting a run shows it; selecting a pipeline starts from its newest run', async () => {
    await model.refresh();
    await model.selectRun('old');
    expect(model.run?.run_id).toBe('old');
    await model.refresh();
    expect(model.selectedRunId).toBe('old');
    await model.selectPipeline('words');
    expect(model.selectedPipeline).toBe('words');
    expect(model.selectedRunId).toBe('new');
  });

  it('says why the pipelines could not be loaded', async () => {
    service.client.pipelines.mockRejectedValueOnce(new MLExtAPIError(500, 'database is locked'));
    await model.refresh();
    expect(model.error).toBe('Loading pipelines failed: database is locked');
  });

  it("shows a step's new status at once, then reloads the runs and the DAG once", async () => {
    await model.refresh();
    const changed = jest.fn();
    model.changed.connect(changed);
    service.fakeEvents.emit({
      kind: 'status',
      run_id: 'train-run',
      data: { status: 'Finalizing', previous: 'Running' }
    });
    expect(model.run?.steps[1].status).toBe('Finalizing');
    expect(changed).toHaveBeenCalled();
    service.fakeEvents.emit({
      kind: 'status',
      run_id: 'train-run',
      data: { status: 'Completed', previous: 'Finalizing' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.pipelineRuns).toHaveBeenCalledTimes(2);
    expect(service.client.pipelineRun).toHaveBeenCalledTimes(2);
  });

  it('a new top-level run (a run started elsewhere) reloads the list; an unrelated child run does not', async () => {
    await model.refresh();
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'child-of-another',
      data: { experiment: 'x', parent_id: 'someone-else', status: 'Queued' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.pipelineRuns).toHaveBeenCalledTimes(1);
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'elsewhere',
      data: { experiment: 'pipelines', parent_id: null, status: 'Running' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.pipelineRuns).toHaveBeenCalledTimes(2);
  });

  it('a new step of the shown run reloads its DAG', async () => {
    await model.refresh();
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'evaluate-run',
      data: { experiment: 'pipelines', parent_id: 'new', status: 'Queued' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.pipelineRun).toHaveBeenCalledTimes(2);
  });

  it('runs the selected pipeline and shows the new run', async () => {
    await model.refresh();
    service.client.triggerPipeline.mockResolvedValue(dag('triggered'));
    service.client.pipelineRuns.mockResolvedValue([summary('triggered', 'Running'), summary('new'), summary('old')]);
    const run = await model.trigger({ params: { alpha: 2 }, version: 1 });
    expect(service.client.triggerPipeline).toHaveBeenCalledWith('numbers', { params: { alpha: 2 }, version: 1 });
    expect(run.run_id).toBe('triggered');
    expect(model.selectedRunId).toBe('triggered');
    expect(model.runs[0].run_id).toBe('triggered');
  });

  it('passes a refused trigger on to the dialog', async () => {
    await model.refresh();
    service.client.triggerPipeline.mockRejectedValue(new MLExtAPIError(400, "pipeline 'numbers' has no param 'gamma'"));
    await expect(model.trigger({ params: { gamma: 1 } })).rejects.toThrow("has no param 'gamma'");
  });

  it('cancels a run and shows the answer at once', async () => {
    await model.refresh();
    service.client.cancelPipelineRun.mockResolvedValue(dag('new', 'Canceled'));
    const changed = jest.fn();
    model.changed.connect(() => changed(model.run?.state));
    await model.cancelRun('new');
    expect(service.client.cancelPipelineRun).toHaveBeenCalledWith('new');
    expect(changed).toHaveBeenCalledWith('Canceled');
  });

  it('ignores the feed until it was shown', () => {
    service.fakeEvents.emit({
      kind: 'run_created',
      run_id: 'elsewhere',
      data: { experiment: 'pipelines', parent_id: null, status: 'Running' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    expect(service.client.pipelineRuns).not.toHaveBeenCalled();
  });
});

describe('the DAG layout', () => {
  it('puts each step one layer below the lowest step it takes inputs from', () => {
    const steps = [
      step('report', { depends_on: ['train', 'baseline'] }),
      step('prep'),
      step('train', { depends_on: ['prep'] }),
      step('baseline', { depends_on: ['prep'] })
    ];
    expect(layerSteps(steps)).toEqual([['prep'], ['train', 'baseline'], ['report']]);
  });

  it('survives a cycle the server would have refused', () => {
    const steps = [step('a', { depends_on: ['b'] }), step('b', { depends_on: ['a'] })];
    expect(layerSteps(steps).flat().sort()).toEqual(['a', 'b']);
  });
});
