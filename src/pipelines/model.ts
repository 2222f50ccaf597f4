import {
  ChangeEvent,
  DescribePipeline,
  PipelineRun,
  PipelineRunSummary,
  PipelineSummary,
  TriggerPipeline
} from '../api/types';
import { PanelModel } from '../common/panelModel';
import { IMLExt } from '../tokens';

/**
 * How many runs of the selected pipeline the panel lists.
 */
export const RUNS_SHOWN = 50;

/**
 * The Pipelines panel's state: the published pipelines, the selected one's
 * versions, schedule and runs, and the selected run as a DAG of steps.
 *
 * Publishing is not on the change feed, so the list reloads when the panel is
 * shown and on Refresh. Runs are: a pipeline run is a top-level run and each
 * step a child run of it, so `run_created` and `status` events of those runs
 * reload the runs list and the DAG (a step's new status shows at once, the
 * rest follows the reload).
 */
export class PipelinesModel extends PanelModel {
  constructor(service: IMLExt) {
    super(service, 'Loading pipelines failed');
    this._service = service;
    service.events.received.connect(this._onEvent, this);
  }

  get pipelines(): ReadonlyArray<PipelineSummary> {
    return this._pipelines;
  }

  get selectedPipeline(): string | null {
    return this._selectedPipeline;
  }

  /**
   * The selected pipeline's versions (oldest first) and schedule.
   */
  get description(): DescribePipeline | null {
    return this._description;
  }

  get runs(): ReadonlyArray<PipelineRunSummary> {
    return this._runs;
  }

  get selectedRunId(): string | null {
    return this._selectedRunId;
  }

  /**
   * The selected run with its steps, once loaded.
   */
  get run(): PipelineRun | null {
    return this._run;
  }

  /**
   * Reload everything: the pipelines, then the selected pipeline (the first
   * when none is) and its runs, then the selected run (its newest when none
   * is). From now on the model follows the change feed.
   */
  async refresh(): Promise<void> {
    this.startFollowing();
    await this.load(async () => {
      this._pipelines = await this._service.client.pipelines();
      const names = this._pipelines.map(pipeline => pipeline.name);
      const name =
        this._selectedPipeline !== null && names.includes(this._selectedPipeline)
          ? this._selectedPipeline
          : (names[0] ?? null);
      await this._loadPipeline(name);
    });
  }

  selectPipeline(name: string): Promise<void> {
    return this.load(() => this._loadPipeline(name));
  }

  selectRun(runId: string): Promise<void> {
    return this.load(async () => {
      this._selectedRunId = runId;
      this._run = null;
      this.emitChanged();
      await this._loadRun();
    });
  }

  /**
   * Run the selected pipeline and select the new run. Throws the server's
   * refusal (e.g. an unknown param) for the caller's dialog to show.
   */
  async trigger(request: TriggerPipeline): Promise<PipelineRun> {
    const name = this._selectedPipeline;
    if (name === null) {
      throw new Error('No pipeline is selected.');
    }
    const run = await this._service.client.triggerPipeline(name, request);
    if (this._selectedPipeline === name) {
      this._selectedRunId = run.run_id;
      this._run = run;
      await this.load(() => this._loadRuns(name));
    }
    return run;
  }

  /**
   * Cancel a run of the selected pipeline; the answer (the run, Canceled)
   * is shown at once. Throws the server's refusal (e.g. it ended meanwhile).
   */
  async cancelRun(runId: string): Promise<void> {
    const run = await this._service.client.cancelPipelineRun(runId);
    if (this._selectedRunId === run.run_id) {
      this._run = run;
      this.emitChanged();
    }
    const name = this._selectedPipeline;
    if (name !== null) {
      await this.load(() => this._loadRuns(name));
    }
  }

  private async _loadPipeline(name: string | null): Promise<void> {
    if (name !== this._selectedPipeline) {
      this._selectedPipeline = name;
      this._description = null;
      this._runs = [];
      this._selectedRunId = null;
      this._run = null;
      this.emitChanged();
    }
    if (name === null) {
      return;
    }
    const [description] = await Promise.all([this._service.client.describePipeline(name), this._loadRuns(name)]);
    if (this._selectedPipeline === name) {
      this._description = description;
    }
  }

  /**
   * The runs of `name`; the selected run is kept while it is listed (or
   * was just triggered), else the newest is selected.
   */
  private async _loadRuns(name: string): Promise<void> {
    const runs = await this._service.client.pipelineRuns(name, RUNS_SHOWN);
    if (this._selectedPipeline !== name) {
      return;
    }
    this._runs = runs;
    const listed = runs.some(run => run.run_id === this._selectedRunId);
    if (!listed && this._run?.run_id !== this._selectedRunId) {
      this._selectedRunId = runs[0]?.run_id ?? null;
    }
    await this._loadRun();
  }

  private async _loadRun(): Promise<void> {
    const runId = this._selectedRunId;
    if (runId === null) {
      this._run = null;
      return;
    }
    const seen = this._runEvents;
    const run = await this._service.client.pipelineRun(runId);
    if (this._selectedRunId === runId) {
      this._run = run;
      if (this._runEvents !== seen) {
        // An event about this run came while the answer was on its way: it may say more than the answer
        // (a step that started meanwhile), so ask again rather than keep the older picture.
        this._scheduleReload();
      }
    }
  }

  private _onEvent(_: unknown, event: ChangeEvent): void {
    if (!this.following || this._selectedPipeline === null) {
      return;
    }
    if (event.kind !== 'run_created' && event.kind !== 'status') {
      return;
    }
    const run = this._run;
    const step = run?.steps.find(candidate => candidate.run_id === event.run_id);
    if (step && event.kind === 'status') {
      step.status = event.data.status;
      this.emitChanged();
    }
    const parentId = event.kind === 'run_created' ? event.data.parent_id : undefined;
    const touchesRun = run !== null && (event.run_id === run.run_id || step !== undefined || parentId === run.run_id);
    const touchesList = (event.kind === 'run_created' && !parentId) || this._runs.some(r => r.run_id === event.run_id);
    if (touchesRun) {
      this._runEvents += 1;
    }
    if (touchesRun || touchesList) {
      this._scheduleReload();
    }
  }

  private _scheduleReload(): void {
    this.scheduleReload(() => {
      const name = this._selectedPipeline;
      if (name !== null) {
        void this.load(() => this._loadRuns(name));
      }
    });
  }

  private _service: IMLExt;
  private _pipelines: PipelineSummary[] = [];
  private _selectedPipeline: string | null = null;
  private _description: DescribePipeline | null = null;
  private _runs: PipelineRunSummary[] = [];
  private _selectedRunId: string | null = null;
  private _run: PipelineRun | null = null;
  private _runEvents = 0;
}
