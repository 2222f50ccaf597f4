import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { IErrorBody, IHealth } from './types';

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

  private async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const url = URLExt.join(this.serverSettings.baseUrl, API_PREFIX, path);
    const response = await ServerConnection.makeRequest(
      url,
      init,
      this.serverSettings
    );
    const text = await response.text();
    const body = text.length > 0 ? parseJSON(text) : undefined;
    if (!response.ok) {
      if (isErrorBody(body)) {
        throw new MLExtAPIError(response.status, body.error, body.field);
      }
      throw new MLExtAPIError(
        response.status,
        `${response.status} ${response.statusText}`
      );
    }
    if (body === undefined) {
      throw new MLExtAPIError(response.status, `${url} did not answer JSON`);
    }
    return body as T;
  }
}
