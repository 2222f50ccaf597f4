import { expect, test } from '@jupyterlab/galata';

import { api, RunsPanel } from './helpers/mlext';

/**
 * The workspace holds the demo sweep of examples/seed_demo.py: a parent run
 * `lr-sweep` with four child runs `lr=0.005` … `lr=0.2`, each with params
 * `lr` and `epochs`, 150 `mse` points, `final_mse` and a `predictions.png`.
 */
const TRIALS = ['lr=0.005', 'lr=0.02', 'lr=0.05', 'lr=0.2'];

test.describe('Runs panel', () => {
  let runs: RunsPanel;

  test.beforeEach(async ({ page }) => {
    runs = new RunsPanel(page);
    await runs.open();
    await runs.chooseExperiment('demo-sweep');
  });

  test('shows the experiments and the seeded runs, children under their parent', async () => {
    await expect(runs.node.locator('.jp-mlext-experiment[data-experiment="demo-sweep"]')).toContainText('5');
    expect(await runs.names()).toEqual(['lr-sweep', ...[...TRIALS].reverse()]);
    for (const name of TRIALS) {
      await expect(runs.row(name)).toHaveAttribute('data-status', 'Completed');
      await expect(runs.row(name).locator('.jp-mlext-child-mark')).toHaveAttribute('title', 'child of lr-sweep');
    }
    expect(await runs.column('params.lr')).toEqual(['', '0.2', '0.05', '0.02', '0.005']);
  });

  test('filters with the search language and shows a bad filter inline', async () => {
    await runs.filter('params.lr >= 0.05 and metrics.final_mse < 1000');
    expect((await runs.names()).sort()).toEqual(['lr=0.05', 'lr=0.2']);
    await expect(runs.error).toBeHidden();

    await runs.filter('params.lr >> 1');
    await expect(runs.error).toContainText('position');
    await expect(runs.node.getByLabel('Filter runs')).toHaveAttribute('aria-invalid', 'true');
    expect((await runs.names()).sort()).toEqual(['lr=0.05', 'lr=0.2']);

    await runs.filter('');
    await expect(runs.error).toBeHidden();
    await expect(runs.rows()).toHaveCount(5);
  });

  test('sorts by any column on the server, both ways', async () => {
    await runs.sortBy('metrics.final_mse');
    await expect(runs.header('metrics.final_mse')).toHaveAttribute('aria-sort', 'descending');
    const descending = (await runs.column('metrics.final_mse')).filter(Boolean).map(Number);
    expect(descending).toHaveLength(4);
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    // The parent has no final_mse: runs without the metric sort last.
    expect((await runs.names()).at(-1)).toBe('lr-sweep');

    await runs.sortBy('metrics.final_mse');
    await expect(runs.header('metrics.final_mse')).toHaveAttribute('aria-sort', 'ascending');
    const ascending = (await runs.column('metrics.final_mse')).filter(Boolean).map(Number);
    expect(ascending).toEqual([...descending].reverse());

    await runs.sortBy('name');
    await expect(runs.header('name')).toHaveAttribute('aria-sort', 'ascending');
    expect(await runs.names()).toEqual(['lr-sweep', 'lr=0.005', 'lr=0.02', 'lr=0.05', 'lr=0.2']);
  });

  test('overlays the metric of two selected runs and diffs their params', async () => {
    await runs.select('lr=0.05');
    await runs.select('lr=0.2');
    await expect(runs.chart).toHaveAttribute('data-series', '2');
    await expect(runs.chart).toHaveAttribute('data-key', 'mse');
    await expect(runs.chart).toHaveAttribute('data-points', '300');
    const legend = runs.chart.locator('.u-legend .u-series .u-label');
    await expect(legend).toHaveText(['step', 'lr=0.05', 'lr=0.2']);
    await expect(runs.chart.locator('canvas')).toBeVisible();

    const lrRow = runs.paramsDiff.locator('tbody tr', { hasText: 'lr' });
    await expect(lrRow.locator('td')).toHaveText(['0.05', '0.2']);
    // epochs is the same in both runs: only shown with "show all".
    await expect(runs.paramsDiff.locator('tbody tr')).toHaveCount(1);
    await runs.node.getByLabel('show all').check();
    await expect(runs.paramsDiff.locator('tbody tr')).toHaveCount(2);
  });

  test('opens a run: params, latest metrics, artifacts that download', async ({ page }) => {
    await runs.row('lr=0.2').getByRole('button', { name: 'lr=0.2' }).click();
    const detail = page.locator('.jp-mlext-run-detail:visible');
    await expect(detail.locator('h2')).toHaveText('lr=0.2');
    await expect(detail.getByRole('table', { name: 'Params' })).toContainText('0.2');
    await expect(detail.getByRole('table', { name: 'Latest metrics' }).locator('tbody tr')).toHaveCount(2);
    await expect(detail.locator('.jp-mlext-chart')).toHaveAttribute('data-points', /^[1-9]/);

    const link = detail.getByRole('link', { name: 'predictions.png' });
    await expect(link).toBeVisible();
    const response = await page.request.get((await link.getAttribute('href')) as string);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toContain('image/png');

    const run = (await api(page.request, 'runs?experiment=demo-sweep&filter=name%20%3D%20%27lr%3D0.2%27')).runs[0];
    await expect(detail.locator('.jp-mlext-summary')).toContainText(run.id);
  });
});
