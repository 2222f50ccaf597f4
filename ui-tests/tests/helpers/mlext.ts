/**
 * Page objects of the jupyter-mlext panels, and helpers that talk to the
 * real server (REST API) or seed the workspace with the real SDK.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

import { expect, IJupyterLabPageFixture } from '@jupyterlab/galata';
import { APIRequestContext, Locator } from '@playwright/test';

/**
 * Where the panels' screenshots go: the test output by default (so a test run
 * leaves the repository clean), docs/screenshots with `scripts/ui-tests.sh
 * --screenshots`, which sets MLEXT_SCREENSHOTS (the README shows those).
 */
export function screenshotPath(name: string): string {
  const folder = process.env.MLEXT_SCREENSHOTS ?? path.resolve(__dirname, '..', '..', 'test-results', 'screenshots');
  return path.join(folder, name);
}

export const RUNS_PANEL_ID = 'jp-mlext-runs';
export const COMPUTE_PANEL_ID = 'jp-mlext-compute';

/**
 * Run Python (the venv's, first on PATH) in the tests' workspace.
 */
export function python(code: string): string {
  return execFileSync('python', ['-c', code], {
    env: process.env,
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024
  });
}

/**
 * `GET /mlext/api/<path>` on the test server, as JSON.
 */
export async function api<T = any>(request: APIRequestContext, path: string): Promise<T> {
  const response = await request.get(`/mlext/api/${path}`);
  expect(response.ok(), `GET ${path}: ${response.status()} ${await response.text()}`).toBe(true);
  return (await response.json()) as T;
}

export class RunsPanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get node(): Locator {
    return this.page.locator(`#${RUNS_PANEL_ID}`);
  }

  async open(width = 620): Promise<void> {
    await this.page.sidebar.openTab(RUNS_PANEL_ID);
    await expect(this.node).toBeVisible();
    await this.page.sidebar.setWidth(width, 'left');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  rows(): Locator {
    return this.node.locator('.jp-mlext-runs-table tbody tr[data-run-id]');
  }

  row(name: string): Locator {
    return this.rows().filter({
      has: this.page.locator('.jp-mlext-name-cell button', { hasText: new RegExp(`^${escape(name)}$`) })
    });
  }

  async names(): Promise<string[]> {
    return this.rows().locator('.jp-mlext-name-cell button').allTextContents();
  }

  /**
   * The text of column `field` in each row, top to bottom.
   */
  async column(field: string): Promise<string[]> {
    const headers = await this.node.locator('.jp-mlext-runs-table thead th').evaluateAll(cells =>
      cells.map(cell => cell.getAttribute('data-field'))
    );
    const index = headers.indexOf(field);
    expect(index, `column ${field} in ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
    return this.rows().locator(`td:nth-child(${index + 1})`).allTextContents();
  }

  header(field: string): Locator {
    return this.node.locator(`.jp-mlext-runs-table thead th[data-field="${field}"]`);
  }

  /**
   * Click the header of column `field` (each click flips the direction).
   */
  async sortBy(field: string): Promise<void> {
    await this.header(field).getByRole('button').click();
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  async chooseExperiment(name: string | null): Promise<void> {
    await this.node.locator(`.jp-mlext-experiment[data-experiment="${name ?? ''}"]`).click();
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  async filter(text: string): Promise<void> {
    await this.node.getByLabel('Filter runs').fill(text);
    await this.node.getByLabel('Filter runs').press('Enter');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  get error(): Locator {
    return this.node.locator('#jp-mlext-filter-error');
  }

  async select(name: string): Promise<void> {
    await this.node.getByLabel(`Select run ${name}`, { exact: true }).check();
  }

  get chart(): Locator {
    return this.node.locator('.jp-mlext-selection .jp-mlext-chart');
  }

  /**
   * How many points the chart drew last.
   */
  async chartPoints(): Promise<number> {
    return Number((await this.chart.getAttribute('data-points')) ?? '0');
  }

  get paramsDiff(): Locator {
    return this.node.locator('.jp-mlext-params-diff');
  }
}

export class ComputePanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get node(): Locator {
    return this.page.locator(`#${COMPUTE_PANEL_ID}`);
  }

  async open(width = 560): Promise<void> {
    await this.page.sidebar.openTab(COMPUTE_PANEL_ID);
    await expect(this.node).toBeVisible();
    await this.page.sidebar.setWidth(width, 'left');
  }

  target(name: string): Locator {
    return this.node.locator(`.jp-mlext-targets tr[data-target="${name}"]`);
  }

  queued(name: string): Locator {
    return this.node.locator('.jp-mlext-queue tbody tr').filter({ hasText: name });
  }

  queuedRun(id: string): Locator {
    return this.node.locator(`.jp-mlext-queue tbody tr[data-run-id="${id}"]`);
  }
}

export const MODELS_PANEL_ID = 'jp-mlext-models';

export class ModelsPanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get node(): Locator {
    return this.page.locator(`#${MODELS_PANEL_ID}`);
  }

  async open(width = 620): Promise<void> {
    await this.page.sidebar.openTab(MODELS_PANEL_ID);
    await expect(this.node).toBeVisible();
    await this.page.sidebar.setWidth(width, 'left');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  model(name: string): Locator {
    return this.node.locator(`.jp-mlext-model[data-model="${name}"]`);
  }

  async chooseModel(name: string): Promise<void> {
    await this.model(name).click();
    await expect(this.model(name)).toHaveAttribute('aria-pressed', 'true');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  versionRows(): Locator {
    return this.node.locator('.jp-mlext-model-versions tbody tr[data-version]');
  }

  version(number: number): Locator {
    return this.node.locator(`.jp-mlext-model-versions tbody tr[data-version="${number}"]`);
  }

  historyRows(): Locator {
    return this.node.locator('.jp-mlext-model-history tbody tr');
  }

  /**
   * Select a version of the chosen model: its lineage and actions show.
   */
  async showVersion(number: number): Promise<void> {
    await this.version(number).getByRole('button', { name: `Show version ${number}` }).click();
    await expect(this.version(number)).toHaveClass(/jp-mlext-selected/);
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  /**
   * Open the "Set alias" dialog on a version.
   */
  async setAliasOn(number: number): Promise<void> {
    await this.showVersion(number);
    const model = (await this.node.locator('.jp-mlext-model[aria-pressed="true"]').getAttribute('data-model')) ?? '';
    await this.node.getByRole('button', { name: `Set an alias on ${model}:${number}` }).click();
  }

  async search(text: string): Promise<void> {
    await this.node.getByLabel('Search models').fill(text);
    await this.node.getByLabel('Search models').press('Enter');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }
}

export const PIPELINES_PANEL_ID = 'jp-mlext-pipelines';

export class PipelinesPanel {
  constructor(readonly page: IJupyterLabPageFixture) {}

  get node(): Locator {
    return this.page.locator(`#${PIPELINES_PANEL_ID}`);
  }

  async open(width = 640): Promise<void> {
    await this.page.sidebar.openTab(PIPELINES_PANEL_ID);
    await expect(this.node).toBeVisible();
    await this.page.sidebar.setWidth(width, 'left');
    await expect(this.node).toHaveAttribute('data-loading', 'false');
  }

  pipeline(name: string): Locator {
    return this.node.locator(`.jp-mlext-pipeline[data-pipeline="${name}"]`);
  }

  runRows(): Locator {
    return this.node.locator('.jp-mlext-pipeline-runs tbody tr[data-run-id]');
  }

  /**
   * The DAG's container; `data-run-id` names the run drawn.
   */
  get graph(): Locator {
    return this.node.locator('.jp-mlext-dag-scroll');
  }

  step(name: string): Locator {
    return this.graph.locator(`.jp-mlext-dag-node[data-step="${name}"]`);
  }

  edges(): Locator {
    return this.graph.locator('.jp-mlext-dag-edge');
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
