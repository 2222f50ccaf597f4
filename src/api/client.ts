/**
 * The typed client of the jupyter-mlext REST API (`<base_url>mlext/api`, described by api/openapi.yaml).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { MLExtAPIError, parseJSON, responseError } from './errors';
import {
  Artifact,
  ComputeTarget,
  DescribePipeline,
  Experiment,
  ExportedPipeline,
  Health,
  LogChunk,
  MetricHistory,
  ModelLineage,
  ModelVersion,
  PipelineRun,
  PipelineRunSummary,
  PipelineSummary,
  RegisteredModel,
  RegistryChange,
  RunInfo,
  RunPage,
  RunQuery,
  SubmitRun,
  TagsUpdate,
  TriggerPipeline
} from './types';

/**
 * URL prefix of the REST API, relative to the server's base URL.
 */
const API_PREFIX = 'mlext/api';

/**
 * Query parameters; arrays repeat the parameter, and empty values are left out.
 */
interface IQuery {
  [name: string]: string | number | ReadonlyArray<string> | null | undefined;
}

interface IRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: IQuery;
  /**
   * Sent as JSON.
   */
  body?: unknown;
}

/**
 * `?a=1&b=x&b=y` for `{a: 1, b: ['x', 'y']}` (or '' when nothing is left).
 */
function queryString(query: IQuery): string {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item !== null && item !== undefined && item !== '') {
        pairs.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(item))}`);
      }
    }
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/**
 * One URL segment per argument, whatever it holds (`a/b` stays one segment).
 */
function segments(...parts: (string | number)[]): string {
  return parts.map(part => encodeURIComponent(String(part))).join('/');
}

/**
 * An artifact path keeps its folders: each of them is encoded on its own.
 */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * A download address for a link. Like JupyterLab's own file downloads it carries the XSRF cookie's value,
 * since a link cannot send headers.
 */
function withXsrf(url: string): string {
  const xsrf = document.cookie.match('\\b_xsrf=([^;]*)\\b');
  return xsrf ? `${url}?_xsrf=${xsrf[1]}` : url;
}

/**
 * Typed client of the REST API. Requests go through JupyterLab's `ServerConnection`, which adds the token
 * or the `X-XSRFToken` header of a browser session.
 *
 * Network failures reject with `ServerConnection.NetworkError`, error answers with `MLExtAPIError`.
 */
export class MLExtClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  health(): Promise<Health> {
    return this.request('health');
  }

  async experiments(): Promise<Experiment[]> {
    return (await this.request<{ experiments: Experiment[] }>('experiments')).experiments;
  }

  searchRuns(query: RunQuery): Promise<RunPage> {
    return this.request('runs', { query });
  }

  getRun(id: string): Promise<RunInfo> {
    return this.request(segments('runs', id));
  }

  metricHistory(id: string, key: string, maxPoints?: number): Promise<MetricHistory> {
    return this.request(segments('runs', id, 'metrics', key), { query: { max_points: maxPoints } });
  }

  async artifacts(id: string): Promise<Artifact[]> {
    return (await this.request<{ artifacts: Artifact[] }>(segments('runs', id, 'artifacts'))).artifacts;
  }

  /**
   * The download address of an artifact, for a link.
   */
  artifactUrl(id: string, path: string): string {
    return withXsrf(this.url(`${segments('runs', id, 'artifacts')}/${encodePath(path)}`));
  }

  /**
   * A piece of a run's log: from `offset` (a negative offset counts from the end, to read the tail), at most
   * `maxBytes`.
   */
  logs(id: string, offset: number, maxBytes: number): Promise<LogChunk> {
    return this.request(segments('runs', id, 'logs'), { query: { offset, max_bytes: maxBytes } });
  }

  submit(request: SubmitRun): Promise<RunInfo> {
    return this.request('runs', { method: 'POST', body: request });
  }

  cancel(id: string): Promise<unknown> {
    return this.request(segments('runs', id, 'cancel'), { method: 'POST', body: {} });
  }

  async computeTargets(): Promise<ComputeTarget[]> {
    return (await this.request<{ targets: ComputeTarget[] }>('compute')).targets;
  }

  /**
   * Registered models, those whose name contains `name` if given.
   */
  async models(name?: string): Promise<RegisteredModel[]> {
    return (await this.request<{ models: RegisteredModel[] }>('models', { query: { name } })).models;
  }

  async modelVersions(name: string): Promise<ModelVersion[]> {
    return (await this.request<{ versions: ModelVersion[] }>(segments('models', name, 'versions'))).versions;
  }

  /**
   * Versions of every model carrying all `tags` (`KEY=VALUE` each).
   */
  async searchModelVersions(tags: string[]): Promise<ModelVersion[]> {
    return (await this.request<{ versions: ModelVersion[] }>('model-versions', { query: { tag: tags } })).versions;
  }

  modelLineage(name: string, version: number): Promise<ModelLineage> {
    return this.request(segments('models', name, 'versions', version, 'lineage'));
  }

  async modelHistory(name: string): Promise<RegistryChange[]> {
    return (await this.request<{ history: RegistryChange[] }>(segments('models', name, 'history'))).history;
  }

  setModelAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
    return this.request(segments('models', name, 'aliases', alias), { method: 'PUT', body: { version } });
  }

  deleteModelAlias(name: string, alias: string): Promise<void> {
    return this.request(segments('models', name, 'aliases', alias), { method: 'DELETE' });
  }

  updateModelTags(name: string, version: number, update: TagsUpdate): Promise<ModelVersion> {
    return this.request(segments('models', name, 'versions', version, 'tags'), { method: 'PATCH', body: update });
  }

  /**
   * The download address of a version's files (one file, or a .tar.gz of several), for a link.
   */
  modelDownloadUrl(name: string, version: number): string {
    return withXsrf(this.url(segments('models', name, 'versions', version, 'download')));
  }

  async pipelines(): Promise<PipelineSummary[]> {
    return (await this.request<{ pipelines: PipelineSummary[] }>('pipelines')).pipelines;
  }

  describePipeline(name: string): Promise<DescribePipeline> {
    return this.request(segments('pipelines', name));
  }

  /**
   * Runs of a published pipeline, newest first.
   */
  async pipelineRuns(name: string, limit: number): Promise<PipelineRunSummary[]> {
    const path = segments('pipelines', name, 'runs');
    return (await this.request<{ runs: PipelineRunSummary[] }>(path, { query: { limit } })).runs;
  }

  /**
   * A pipeline run as a DAG of steps with their states and child runs.
   */
  pipelineRun(runId: string): Promise<PipelineRun> {
    return this.request(segments('pipeline-runs', runId));
  }

  /**
   * Cancel a running pipeline run; answers the run (Canceled once its driver has stopped its steps).
   */
  cancelPipelineRun(runId: string): Promise<PipelineRun> {
    return this.request(segments('pipeline-runs', runId, 'cancel'), { method: 'POST', body: {} });
  }

  triggerPipeline(name: string, request: TriggerPipeline): Promise<PipelineRun> {
    return this.request(segments('pipelines', name, 'runs'), { method: 'POST', body: request });
  }

  /**
   * Export a notebook (a path relative to the Jupyter root) to a pipeline folder beside it.
   */
  exportPipeline(notebook: string): Promise<ExportedPipeline> {
    return this.request('pipelines/export', { method: 'POST', body: { notebook } });
  }

  /**
   * Address of the change-feed WebSocket, resuming after event `cursor`.
   */
  eventsUrl(cursor: number | null): string {
    const settings = this.serverSettings;
    const token = settings.appendToken ? settings.token : '';
    return URLExt.join(settings.wsUrl, API_PREFIX, 'events') + queryString({ cursor, token });
  }

  private url(path: string): string {
    return URLExt.join(this.serverSettings.baseUrl, API_PREFIX, path);
  }

  /**
   * The one request helper: a JSON body out, the JSON answer back (nothing for 204 No Content); an error
   * status rejects with the server's message.
   */
  private async request<T>(path: string, request: IRequest = {}): Promise<T> {
    const url = this.url(path) + queryString(request.query ?? {});
    const init: RequestInit = { method: request.method ?? 'GET' };
    if (request.body !== undefined) {
      init.body = JSON.stringify(request.body);
      init.headers = { 'Content-Type': 'application/json' };
    }
    const response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    if (!response.ok) {
      throw await responseError(response);
    }
    if (response.status === 204) {
      return undefined as T;
    }
    const text = await response.text();
    const body = text.length > 0 ? parseJSON(text) : undefined;
    if (body === undefined) {
      throw new MLExtAPIError(response.status, `${url} did not answer JSON`);
    }
    return body as T;
  }
}
