import * as fs from 'fs';
import * as path from 'path';

import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { COMPUTE_PANEL_ID, MODELS_PANEL_ID, PIPELINES_PANEL_ID, RUNS_PANEL_ID } from './helpers/mlext';

/**
 * The panels at JupyterLab's default sidebar width (the left area opens at its minimum,
 * --jp-sidebar-min-width, 250 px, in Galata's 1024 px window): no header text is cut off, every panel
 * shows the live indicator, and a run's Parent is a link to the parent's details. Over the demo workspace of
 * examples/seed_demo.py.
 */

async function openAtDefaultWidth(page: IJupyterLabPageFixture, id: string): Promise<Locator> {
  await page.sidebar.openTab(id);
  const panel = page.locator(`#${id}`);
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-loading', 'false');
  const width = await panel.evaluate(node => node.getBoundingClientRect().width);
  const minimum = await page.evaluate(() =>
    parseFloat(getComputedStyle(document.documentElement).getPropertyValue('--jp-sidebar-min-width'))
  );
  expect(width).toBeLessThanOrEqual(minimum + 1);
  return panel;
}

/**
 * The headers of every table in `panel` whose text is cut: clipped inside its cell (without a tooltip holding
 * the full text), or outside what the table's scroll box shows of a table that is not meant to scroll
 * (`scrolls` lists the data-field of the columns that may be reached by scrolling).
 */
async function clippedHeaders(panel: Locator): Promise<string[]> {
  return panel.evaluate(node =>
    Array.from(node.querySelectorAll<HTMLTableCellElement>('table thead th')).flatMap(cell => {
      const style = getComputedStyle(cell);
      if (style.display === 'none' || cell.offsetParent === null) {
        return [];
      }
      const text = (cell.textContent ?? '').trim();
      const label = cell.dataset.label ?? text;
      const titled = [cell.title, cell.querySelector('[title]')?.getAttribute('title') ?? ''].some(title =>
        title.includes(text)
      );
      const problems: string[] = [];
      if (cell.scrollWidth > cell.clientWidth && !titled) {
        problems.push(`${label}: clipped in its cell`);
      }
      const box = cell.closest('.jp-mlext-table-scroll, .jp-mlext-panel') as HTMLElement;
      const scrolls = cell.dataset.priority === undefined && cell.dataset.field !== undefined;
      const right = cell.getBoundingClientRect().right;
      if (!scrolls && right > box.getBoundingClientRect().right + 1) {
        problems.push(`${label}: beyond the panel's edge`);
      }
      return problems;
    })
  );
}

async function expectLive(panel: Locator): Promise<void> {
  const live = panel.locator('.jp-mlext-connection');
  await expect(live).toHaveAttribute('data-state', 'open');
  await expect(live).toHaveAttribute('role', 'status');
  await expect(live).toHaveAttribute('aria-label', 'Live updates are on');
  await expect(live).toHaveText('live');
}

test.describe('Panels at the default sidebar width', () => {
  test('Runs: no clipped header, a live indicator, the filter hint in full', async ({ page }) => {
    const panel = await openAtDefaultWidth(page, RUNS_PANEL_ID);
    await expectLive(panel);
    await expect(panel.locator('.jp-mlext-runs-table tbody tr[data-run-id]').first()).toBeVisible();
    expect(await clippedHeaders(panel)).toEqual([]);
    // The experiment and start columns gave way; what they hold is in the row's tooltip.
    await expect(panel.locator('th[data-field="experiment"]')).toBeHidden();
    const row = panel.locator('tbody tr[data-run-id]').first();
    await expect(row).toHaveAttribute('title', /^Experiment: \S/m);
    const hint = panel.locator('#jp-mlext-filter-hint');
    await expect(hint).toContainText("metrics.mse < 3 and params.lr = 0.05 and status = 'Completed'");
    expect(await hint.evaluate(node => node.scrollWidth <= node.clientWidth)).toBe(true);

    // Wider, the columns come back.
    await page.sidebar.setWidth(700, 'left');
    await expect(panel.locator('th[data-field="experiment"]')).toBeVisible();
    await expect(panel.locator('th[data-field="started_at"]')).toBeVisible();
  });

  test('Compute: no clipped header and a live indicator', async ({ page }) => {
    const panel = await openAtDefaultWidth(page, COMPUTE_PANEL_ID);
    await expectLive(panel);
    await expect(panel.locator('.jp-mlext-targets tr[data-target="local"]')).toBeVisible();
    expect(await clippedHeaders(panel)).toEqual([]);
  });

  test('Models: no clipped header in versions, lineage and history, and a live indicator', async ({ page }) => {
    const panel = await openAtDefaultWidth(page, MODELS_PANEL_ID);
    await expectLive(panel);
    await panel.locator('.jp-mlext-model[data-model="demo-regressor"]').click();
    await expect(panel.locator('.jp-mlext-model-versions tbody tr[data-version]')).toHaveCount(2);
    await panel.getByRole('button', { name: 'Show version 2' }).click();
    await expect(panel.getByRole('table', { name: 'Metrics of the run' })).toBeVisible();
    await expect(panel.locator('.jp-mlext-model-history tbody tr')).not.toHaveCount(0);
    expect(await clippedHeaders(panel)).toEqual([]);
    // Every record names the same user: the account that seeded the workspace, never a placeholder.
    const users = await panel.locator('.jp-mlext-history-user').allTextContents();
    expect(new Set(users).size).toBe(1);
    expect(users[0]).toMatch(/^[a-z_][\w.-]*$/);
    expect(users[0]).not.toBe('unknown');
    await expect(panel.locator('.jp-mlext-lineage .jp-mlext-summary')).toContainText(users[0]);
  });

  test('Pipelines: no clipped header, the graph zoomed to fit, a live indicator', async ({ page }) => {
    const panel = await openAtDefaultWidth(page, PIPELINES_PANEL_ID);
    await expectLive(panel);
    await panel.locator('.jp-mlext-pipeline[data-pipeline="demo-pipeline"]').click();
    await panel.locator('.jp-mlext-pipeline-runs tbody tr[data-run-id]').first().click();
    const graph = panel.locator('.jp-mlext-dag-scroll');
    await expect(graph.locator('.jp-mlext-dag-node')).toHaveCount(4);
    expect(await clippedHeaders(panel)).toEqual([]);
    await expect(graph).not.toHaveAttribute('data-zoom', '1');
    expect(await graph.evaluate(node => node.scrollWidth <= node.clientWidth)).toBe(true);
    await graph.locator('.jp-mlext-dag-node[data-step="evaluate"]').click();
    await expect(page.locator('.jp-mlext-run-detail:visible h2')).toHaveText('evaluate');

    await panel.getByRole('button', { name: '100%' }).click();
    await expect(graph).toHaveAttribute('data-zoom', '1');
    expect(await graph.evaluate(node => node.scrollWidth > node.clientWidth)).toBe(true);
  });

  test("a run's Parent is a link that opens the parent's details", async ({ page }) => {
    const panel = await openAtDefaultWidth(page, RUNS_PANEL_ID);
    await panel.locator('.jp-mlext-name-cell button', { hasText: /^lr=0\.2$/ }).click();
    const detail = page.locator('.jp-mlext-run-detail:visible');
    await expect(detail.locator('h2')).toHaveText('lr=0.2');
    const parent = detail.getByRole('link', { name: 'lr-sweep' });
    await expect(parent).toHaveAttribute('title', /parent run lr-sweep/);
    await parent.click();
    await expect(page.locator('.jp-mlext-run-detail:visible h2')).toHaveText('lr-sweep');
  });
});

test.describe('Examples', () => {
  test('opening the quickstart leaves it unmodified', async ({ page, tmpPath }) => {
    const source = path.resolve(__dirname, '..', '..', 'examples', 'quickstart.ipynb');
    const original = fs.readFileSync(source, 'utf-8');
    await page.contents.uploadContent(original, 'text', `${tmpPath}/quickstart.ipynb`);
    await page.filebrowser.open(`${tmpPath}/quickstart.ipynb`);
    await page.waitForSelector('.jp-Notebook');
    // The kernel starts and reports its language_info, which JupyterLab writes into the notebook.
    await expect(page.locator('.jp-Notebook-ExecutionIndicator[data-status="idle"]')).toBeVisible({
      timeout: 30000
    });
    await expect
      .poll(() =>
        page.evaluate(() => (window as any).jupyterapp.shell.currentWidget?.context?.model?.toJSON().metadata)
      )
      .toHaveProperty('language_info.version');
    await page.waitForTimeout(1500);
    const dirty = await page.evaluate(() => (window as any).jupyterapp.shell.currentWidget.context.model.dirty);
    expect(dirty).toBe(false);
    await expect(page.locator('.jp-mod-current.jp-mod-dirty')).toHaveCount(0);
    // Nothing wrote the file: the server's copy is still the tracked one, byte for byte.
    const response = await page.request.get(`/api/contents/${tmpPath}/quickstart.ipynb?type=file&format=text`);
    expect((await response.json()).content).toBe(original);
    expect(fs.readFileSync(source, 'utf-8')).toBe(original);
  });
});
