import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IArtifact,
  IComputeTarget,
  IDescribePipeline,
  IErrorBody,
  IExportedPipeline,
  IPipelineRun,
  IPipelineRunSummary,
  IPipelineSummary,
  ITriggerPipeline,
  IExperiment,
  IHealth,
  ILogChunk,
  IMetricHistory,
  IModelLineage,
  IModelVersion,
  IRegisteredModel,
  IRegistryChange,
  IRunInfo,
  IRunPage,
  IRunQuery,
  ISubmitRequest,
  ITagsUpdate
} from './types';

/**
 * URL prefix of the REST API, relative to the server's base URL.
 */
const API_PREFIX = 'mlext/api';

/**
 * A REST API call that the server answered with an error status.
 */
export class MLExtAPIError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string
  ) {
    super(message);
    this.name = 'MLExtAPIError';
  }
}

function isErrorBody(body: unknown): body is IErrorBody {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as IErrorBody).error === 'string'
  );
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * `models/<name>`: a model name is one URL segment, whatever it holds.
 */
function modelPath(name: string): string {
  return `models/${encodeURIComponent(name)}`;
}

/**
 * `pipelines/<name>`: a pipeline name is one URL segment, whatever it holds.
 */
function pipelinePath(name: string): string {
  return `pipelines/${encodeURIComponent(name)}`;
}

/**
 * A download address for a link. Like JupyterLab's own file downloads it
 * carries the XSRF cookie's value, since a link cannot send headers.
 */
function withXsrf(url: string): string {
  const xsrf = document.cookie.match('\\b_xsrf=([^;]*)\\b');
  return xsrf ? `${url}?_xsrf=${xsrf[1]}` : url;
}

/**
 * The error of an answer with an error status: the server's error text
 * (and field) if it sent one, else the status line.
 */
async function responseError(response: Response): Promise<MLExtAPIError> {
  const text = await response.text();
  const body = text.length > 0 ? parseJSON(text) : undefined;
  return isErrorBody(body)
    ? new MLExtAPIError(response.status, body.error, body.field)
    : new MLExtAPIError(
        response.status,
        `${response.status} ${response.statusText}`
      );
}

/**
 * Typed client of the jupyter-mlext REST API.
 *
 * Network failures reject with `ServerConnection.NetworkError`,
 * error answers with `MLExtAPIError`.
 */
export class MLExtClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  health(): Promise<IHealth> {
    return this.request<IHealth>('health');
  }

  async experiments(): Promise<IExperiment[]> {
    const body = await this.request<{ experiments: IExperiment[] }>(
      'experiments'
    );
    return body.experiments;
  }

  searchRuns(query: IRunQuery): Promise<IRunPage> {
    const params: { [key: string]: string } = {};
    if (query.experiment) {
      params.experiment = query.experiment;
    }
    if (query.filter) {
      params.filter = query.filter;
    }
    if (query.orderBy) {
      params.order_by = query.orderBy;
    }
    if (query.maxResults !== undefined) {
      params.max_results = String(query.maxResults);
    }
    if (query.pageToken) {
      params.page_token = query.pageToken;
    }
    return this.request<IRunPage>('runs' + URLExt.objectToQueryString(params));
  }

  getRun(id: string): Promise<IRunInfo> {
    return this.request<IRunInfo>(`runs/${encodeURIComponent(id)}`);
  }

  metricHistory(
    id: string,
    key: string,
    maxPoints?: number
  ): Promise<IMetricHistory> {
    const query =
      maxPoints === undefined
        ? ''
        : URLExt.objectToQueryString({ max_points: String(maxPoints) });
    return this.request<IMetricHistory>(
      `runs/${encodeURIComponent(id)}/metrics/${encodeURIComponent(key)}${query}`
    );
  }

  async artifacts(id: string): Promise<IArtifact[]> {
    const body = await this.request<{ artifacts: IArtifact[] }>(
      `runs/${encodeURIComponent(id)}/artifacts`
    );
    return body.artifacts;
  }

  /**
   * The download address of an artifact, for a link. Like JupyterLab's own
   * file downloads it carries the XSRF cookie's value, since a link cannot
   * send headers.
   */
  artifactUrl(id: string, path: string): string {
    const url = URLExt.join(
      this.serverSettings.baseUrl,
      API_PREFIX,
      'runs',
      encodeURIComponent(id),
      'artifacts',
      encodePath(path)
    );
    return withXsrf(url);
  }

  /**
   * A piece of a run's log: from `offset` (a negative offset counts from the
   * end, to read the tail), at most `maxBytes`.
   */
  logs(id: string, offset: number, maxBytes: number): Promise<ILogChunk> {
    const query = URLExt.objectToQueryString({
      offset: String(offset),
      max_bytes: String(maxBytes)
    });
    return this.request<ILogChunk>(
      `runs/${encodeURIComponent(id)}/logs${query}`
    );
  }

  submit(request: ISubmitRequest): Promise<IRunInfo> {
    return this.request<IRunInfo>('runs', {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  cancel(id: string): Promise<unknown> {
    return this.request<unknown>(`runs/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
      body: '{}'
    });
  }

  async computeTargets(): Promise<IComputeTarget[]> {
    const body = await this.request<{ targets: IComputeTarget[] }>('compute');
    return body.targets;
  }

  /**
   * Registered models, those whose name contains `name` if given.
   */
  async models(name?: string): Promise<IRegisteredModel[]> {
    const query = name ? URLExt.objectToQueryString({ name }) : '';
    const body = await this.request<{ models: IRegisteredModel[] }>(`models${query}`);
    return body.models;
  }

  async modelVersions(name: string): Promise<IModelVersion[]> {
    const body = await this.request<{ versions: IModelVersion[] }>(`${modelPath(name)}/versions`);
    return body.versions;
  }

  /**
   * Versions of every model carrying all `tags` (`KEY=VALUE` each).
   */
  async searchModelVersions(tags: string[]): Promise<IModelVersion[]> {
    const query = tags.map(tag => `tag=${encodeURIComponent(tag)}`).join('&');
    const body = await this.request<{ versions: IModelVersion[] }>(`model-versions?${query}`);
    return body.versions;
  }

  modelLineage(name: string, version: number): Promise<IModelLineage> {
    return this.request<IModelLineage>(`${modelPath(name)}/versions/${version}/lineage`);
  }

  async modelHistory(name: string): Promise<IRegistryChange[]> {
    const body = await this.request<{ history: IRegistryChange[] }>(`${modelPath(name)}/history`);
    return body.history;
  }

  setModelAlias(name: string, alias: string, version: number): Promise<IModelVersion> {
    return this.request<IModelVersion>(`${modelPath(name)}/aliases/${encodeURIComponent(alias)}`, {
      method: 'PUT',
      body: JSON.stringify({ version })
    });
  }

  deleteModelAlias(name: string, alias: string): Promise<void> {
    return this.requestNoContent(`${modelPath(name)}/aliases/${encodeURIComponent(alias)}`, {
      method: 'DELETE'
    });
  }

  updateModelTags(name: string, version: number, update: ITagsUpdate): Promise<IModelVersion> {
    return this.request<IModelVersion>(`${modelPath(name)}/versions/${version}/tags`, {
      method: 'PATCH',
      body: JSON.stringify(update)
    });
  }

  /**
   * The download address of a version's files (one file, or a .tar.gz of
   * several), for a link; it carries the XSRF cookie's value like
   * `artifactUrl`.
   */
  modelDownloadUrl(name: string, version: number): string {
    return withXsrf(
      URLExt.join(this.serverSettings.baseUrl, API_PREFIX, modelPath(name), 'versions', String(version), 'download')
    );
  }

  async pipelines(): Promise<IPipelineSummary[]> {
    const body = await this.request<{ pipelines: IPipelineSummary[] }>('pipelines');
    return body.pipelines;
  }

  describePipeline(name: string): Promise<IDescribePipeline> {
    return this.request<IDescribePipeline>(pipelinePath(name));
  }

  /**
   * Runs of a published pipeline, newest first.
   */
  async pipelineRuns(name: string, limit: number): Promise<IPipelineRunSummary[]> {
    const query = URLExt.objectToQueryString({ limit: String(limit) });
    const body = await this.request<{ runs: IPipelineRunSummary[] }>(
      `${pipelinePath(name)}/runs${query}`
    );
    return body.runs;
  }

  /**
   * A pipeline run as a DAG of steps with their states and child runs.
   */
  pipelineRun(runId: string): Promise<IPipelineRun> {
    return this.request<IPipelineRun>(`pipeline-runs/${encodeURIComponent(runId)}`);
  }

  /**
   * Cancel a running pipeline run; answers the run (Canceled once its
   * driver has stopped its steps).
   */
  cancelPipelineRun(runId: string): Promise<IPipelineRun> {
    return this.request<IPipelineRun>(`pipeline-runs/${encodeURIComponent(runId)}/cancel`, {
      method: 'POST',
      body: '{}'
    });
  }

  triggerPipeline(name: string, request: ITriggerPipeline): Promise<IPipelineRun> {
    return this.request<IPipelineRun>(`${pipelinePath(name)}/runs`, {
      method: 'POST',
      body: JSON.stringify(request)
    });
  }

  /**
   * Export a notebook (a path relative to the Jupyter root) to a pipeline
   * folder beside it.
   */
  exportPipeline(notebook: string): Promise<IExportedPipeline> {
    return this.request<IExportedPipeline>('pipelines/export', {
      method: 'POST',
      body: JSON.stringify({ notebook })
    });
  }

  /**
   * A call answered with 204 No Content (errors as in `request`).
   */
  private async requestNoContent(path: string, init: RequestInit): Promise<void> {
    const url = URLExt.join(this.serverSettings.baseUrl, API_PREFIX, path);
    const response = await ServerConnection.makeRequest(url, init, this.serverSettings);
    if (!response.ok) {
      throw await responseError(response);
    }
  }

  /**
   * Address of the change-feed WebSocket, resuming after event `cursor`.
   */
  eventsUrl(cursor: number | null): string {
    const params: { [key: string]: string } = {};
    if (cursor !== null) {
      params.cursor = String(cursor);
    }
    const settings = this.serverSettings;
    if (settings.appendToken && settings.token) {
      params.token = settings.token;
    }
    return (
      URLExt.join(settings.wsUrl, API_PREFIX, 'events') +
      URLExt.objectToQueryString(params)
    );
  }

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.serverSettings.baseUrl, API_PREFIX, path);
    const response = await ServerConnection.makeRequest(
      url,
      init,
      this.serverSettings
    );
    if (!response.ok) {
      throw await responseError(response);
    }
    const text = await response.text();
    const body = text.length > 0 ? parseJSON(text) : undefined;
    if (body === undefined) {
      throw new MLExtAPIError(response.status, `${url} did not answer JSON`);
    }
    return body as T;
  }
}

/**
 * A message for a person: the server's error text, or what failed to connect.
 */
export function errorMessage(reason: unknown): string {
  if (reason instanceof MLExtAPIError) {
    return reason.message;
  }
  if (reason instanceof ServerConnection.NetworkError) {
    return `the Jupyter server cannot be reached (${reason.message})`;
  }
  if (reason instanceof Error) {
    return reason.message;
  }
  return String(reason);
}
