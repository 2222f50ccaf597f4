/**
 * The error of a REST call the server refused, and the message a person reads for any failure.
 */
import { ServerConnection } from '@jupyterlab/services';

import { ErrorBody } from './types';

/**
 * A REST API call that the server answered with an error status; `field` names the part of the request at
 * fault when the server said which (e.g. `filter` for a filter it cannot parse).
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

function isErrorBody(body: unknown): body is ErrorBody {
  return typeof body === 'object' && body !== null && typeof (body as ErrorBody).error === 'string';
}

/**
 * JSON text as a value, or undefined when it is not JSON.
 */
export function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The error of an answer with an error status: the server's error text (and field) if it sent one, else the
 * status line.
 */
export async function responseError(response: Response): Promise<MLExtAPIError> {
  const text = await response.text();
  const body = text.length > 0 ? parseJSON(text) : undefined;
  return isErrorBody(body)
    ? new MLExtAPIError(response.status, body.error, body.field)
    : new MLExtAPIError(response.status, `${response.status} ${response.statusText}`);
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
