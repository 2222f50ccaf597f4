/**
 * Shapes exchanged with the jupyter-mlext REST API (`/mlext/api/...`).
 */

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
