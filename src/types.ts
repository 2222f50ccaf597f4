/**
 * Shapes exchanged with the jupyter-mlext REST API (`/mlext/api/...`).
 *
 * They mirror `jupyter_mlext/models.py` (`to_dict()` of each entity), so
 * field names are the server's snake_case names.
 */

/**
 * JSON has no NaN or infinities: the server sends them as these strings.
 */
export type JSONFloat = number | 'NaN' | 'Infinity' | '-Infinity';

/**
 * Body of `GET /mlext/api/health`.
 */
export interface IHealth {
  status: string;
  version: string;
  workspace: string;
  experiments: number;
}

/**
 * Body of every 4xx/5xx answer of the REST API.
 */
export interface IErrorBody {
  error: string;
  field?: string;
}

export type RunStatus =
  | 'Queued'
  | 'Preparing'
  | 'Running'
  | 'Finalizing'
  | 'Completed'
  | 'Failed'
  | 'Canceled';

/**
 * Statuses of a run that has not ended yet (it can still be canceled).
 */
export const ACTIVE_STATUSES: ReadonlyArray<RunStatus> = [
  'Queued',
  'Preparing',
  'Running',
  'Finalizing'
];

export interface IExperiment {
  id: number;
  name: string;
  created_at: number;
  run_count: number;
}

export interface IMetricSummary {
  key: string;
  last: JSONFloat;
  min: JSONFloat | null;
  max: JSONFloat | null;
  last_step: number;
  last_timestamp: number;
  count: number;
}

export interface IRunInfo {
  id: string;
  experiment_id: number;
  experiment: string;
  parent_id: string | null;
  name: string;
  status: RunStatus;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
  user: string | null;
  source_type: string | null;
  source_name: string | null;
  compute: string | null;
  git_commit: string | null;
  snapshot_id: string | null;
  error: string | null;
  params: { [key: string]: string };
  tags: { [key: string]: string };
  metrics: { [key: string]: IMetricSummary };
}

export interface IRunPage {
  runs: IRunInfo[];
  next_page_token: string | null;
}

/**
 * A metric series as parallel columns; downsampled, each point is a bucket
 * (`values` its last value, `mins`/`maxs` its extremes).
 */
export interface IMetricHistory {
  run_id: string;
  key: string;
  steps: number[];
  timestamps: number[];
  values: JSONFloat[];
  mins: JSONFloat[];
  maxs: JSONFloat[];
  total_points: number;
  downsampled: boolean;
}

export interface IArtifact {
  run_id: string;
  path: string;
  size: number;
  sha256: string;
  created_at?: number;
}

export interface ILogChunk {
  run_id?: string;
  offset: number;
  next_offset: number;
  text: string;
  size: number;
  complete: boolean;
}

export interface IComputeTarget {
  name: string;
  kind: string;
  address: string | null;
  concurrency: number;
  busy: number;
  queued: number;
  created_at?: number;
}

/**
 * Body of `POST /mlext/api/runs`: paths are relative to the Jupyter root;
 * without `source_dir` the script's own folder is snapshotted.
 */
export interface ISubmitRequest {
  script: string;
  args: string[];
  source_dir?: string;
  compute: string;
  experiment: string;
  name?: string;
}

/**
 * What `GET /runs` takes: one experiment (or all), a filter in the search
 * language, an `order_by` clause such as `metrics.loss DESC`, and paging.
 */
export interface IRunQuery {
  experiment?: string | null;
  filter?: string;
  orderBy?: string;
  maxResults?: number;
  pageToken?: string | null;
}

/**
 * The newest points of each series a metric batch touched (`truncated` when
 * the batch held more than the event carries).
 */
export interface IMetricsEventSeries {
  count: number;
  truncated: boolean;
  steps: number[];
  timestamps: number[];
  values: JSONFloat[];
}

/**
 * `model` is a registry change: `run_id` is null and `data` is
 * `{name, version, action, key}` (the action and key of the history entry).
 */
export type EventKind = 'run_created' | 'status' | 'metrics' | 'artifacts' | 'model';

/**
 * One entry of the workspace's change feed, as the events WebSocket sends it.
 */
export interface IChangeEvent {
  type: 'event';
  seq: number;
  at: number;
  kind: EventKind | string;
  run_id: string | null;
  data: { [key: string]: any };
}

/**
 * First message after (re)connecting: every event up to `cursor` was sent.
 */
export interface IReadyMessage {
  type: 'ready';
  cursor: number;
}

/**
 * One registered version of a model (`stored` is `copy` when its files were
 * copied into the workspace, `reference` when only their path was kept).
 */
export interface IModelVersion {
  name: string;
  version: number;
  run_id: string | null;
  source: string;
  stored: 'copy' | 'reference';
  location: string;
  framework: string | null;
  description: string | null;
  user: string | null;
  created_at: number;
  size: number;
  file_count: number;
  tags: { [key: string]: string };
  properties: { [key: string]: string };
  aliases: string[];
}

export interface IRegisteredModel {
  name: string;
  created_at: number;
  latest_version: number | null;
  version_count: number;
  aliases: { [alias: string]: number };
}

export type RegistryAction =
  | 'registered'
  | 'deleted'
  | 'tag_set'
  | 'tag_deleted'
  | 'alias_set'
  | 'alias_deleted';

/**
 * One line of a model's append-only history.
 */
export interface IRegistryChange {
  seq: number;
  at: number;
  user: string | null;
  name: string;
  version: number | null;
  action: RegistryAction;
  key: string | null;
  value: string | null;
  previous: string | null;
}

/**
 * Where a version came from: its run and that run's parents.
 */
export interface IModelLineage {
  version: IModelVersion;
  run: IRunInfo | null;
  parents: IRunInfo[];
}

/**
 * Body of `PATCH .../tags`: tags to set and tag keys to remove.
 */
export interface ITagsUpdate {
  set: { [key: string]: string };
  delete: string[];
}

/**
 * Pipeline param values (what `pipeline.yaml` and a trigger may hold).
 */
export type PipelineParamValue = string | number | boolean | null;

export interface IPipelineParams {
  [name: string]: PipelineParamValue;
}

/**
 * The cron schedule of a published pipeline (`next_fire` is given by the
 * pipeline endpoints).
 */
export interface IPipelineSchedule {
  pipeline: string;
  cron: string;
  params: IPipelineParams;
  version: number | null;
  enabled: boolean;
  last_fired: number;
  user: string | null;
  created_at: number;
  next_fire?: number;
}

export interface IPipelineSummary {
  name: string;
  latest_version: number;
  version_count: number;
  updated_at: number;
  schedule: IPipelineSchedule | null;
}

/**
 * One step of a pipeline definition, as `pipeline.yaml` spells it.
 */
export interface IPipelineStepDefinition {
  name: string;
  script?: string;
  notebook?: string;
  cells?: string[];
  inputs?: { [name: string]: string };
  outputs?: string[];
  params?: IPipelineParams;
  compute?: string;
  timeout_s?: number | null;
}

export interface IPipelineDefinition {
  name: string;
  params: IPipelineParams;
  steps: IPipelineStepDefinition[];
}

export interface IPublishedPipeline {
  name: string;
  version: number;
  definition: IPipelineDefinition;
  snapshot_id: string | null;
  user: string | null;
  created_at: number;
}

/**
 * Body of `GET /pipelines/{name}`: its versions, oldest first.
 */
export interface IDescribePipeline {
  name: string;
  versions: IPublishedPipeline[];
  schedule: IPipelineSchedule | null;
}

/**
 * `canceling`: a cancel was requested and is being carried out.
 */
export type PipelineRunState = 'running' | 'completed' | 'failed' | 'canceling' | 'canceled';

export interface IPipelineRunSummary {
  run_id: string;
  pipeline: string;
  version: number | null;
  source_dir: string;
  params: IPipelineParams;
  force: boolean;
  trigger: string;
  state: PipelineRunState;
  error: string | null;
  created_at: number;
  ended_at: number | null;
}

/**
 * What the pipeline knows of a step: `queued` means submitted, its child
 * run's `status` tells the rest; `not_started` steps were blocked by a
 * failed one (or the run was canceled first); `canceled` steps were stopped
 * by a cancel of the pipeline run.
 */
export type PipelineStepState =
  | 'pending'
  | 'queued'
  | 'completed'
  | 'reused'
  | 'failed'
  | 'not_started'
  | 'canceled';

export interface IPipelineRunStep {
  name: string;
  kind: 'script' | 'notebook' | 'cells';
  state: PipelineStepState;
  status: RunStatus | null;
  run_id: string | null;
  reused_from: string | null;
  depends_on: string[];
  inputs: { [name: string]: string };
  outputs: string[];
  compute: string;
  error: string | null;
}

/**
 * A pipeline run as a DAG (`status` is the parent run's).
 */
export interface IPipelineRun extends IPipelineRunSummary {
  status: RunStatus;
  steps: IPipelineRunStep[];
}

/**
 * Body of `POST /pipelines/{name}/runs`: param overrides and a version
 * (default the latest).
 */
export interface ITriggerPipeline {
  params: IPipelineParams;
  version?: number;
}

/**
 * Answer of `POST /pipelines/export`: the folder written, relative to the
 * Jupyter root.
 */
export interface IExportedPipeline {
  folder: string;
}
