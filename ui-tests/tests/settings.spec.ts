import { expect, galata, test } from '@jupyterlab/galata';

import { ComputePanel, python, RunsPanel } from './helpers/mlext';

const EXPERIMENT = 'ui-paging';

test.use({
  mockSettings: {
    ...galata.DEFAULT_SETTINGS,
    'jupyter-mlext:plugin': { defaultExperiment: EXPERIMENT, pageSize: 10 }
  }
});

test.beforeAll(() => {
  python(`
import jupyter_mlext as mlx
if not any(e.name == "${EXPERIMENT}" for e in mlx.list_experiments()):
    for index in range(12):
        params = {"i": index, "half": index // 6}
        with mlx.start_run("${EXPERIMENT}", name=f"page-run-{index:02d}", params=params) as run:
            run.log("score", index)
`);
});

test.describe('Settings, commands and paging', () => {
  test('the settings choose the first experiment and the page size; the pager moves through the runs', async ({
    page
  }) => {
    const runs = new RunsPanel(page);
    await runs.open();
    await expect(runs.node.locator(`.jp-mlext-experiment[data-experiment="${EXPERIMENT}"]`)).toHaveAttribute(
      'aria-pressed',
      'true'
    );
    await expect(runs.rows()).toHaveCount(10);
    await expect(runs.node.locator('.jp-mlext-page-label')).toHaveText('Runs 1–10');
    await expect(runs.node.getByRole('button', { name: '‹ Previous' })).toBeDisabled();

    await runs.node.getByRole('button', { name: 'Next ›' }).click();
    await expect(runs.node.locator('.jp-mlext-page-label')).toHaveText('Runs 11–12');
    expect(await runs.names()).toEqual(['page-run-01', 'page-run-00']);
    await expect(runs.node.getByRole('button', { name: 'Next ›' })).toBeDisabled();

    await runs.node.getByRole('button', { name: '‹ Previous' }).click();
    await expect(runs.node.locator('.jp-mlext-page-label')).toHaveText('Runs 1–10');
    expect((await runs.names())[0]).toBe('page-run-11');
  });

  test('the command palette opens the panels and chooses the table columns', async ({ page }) => {
    await page.keyboard.press('Control+Shift+C');
    await page.locator('#modal-command-palette input').fill('Open the Compute Panel');
    await page.keyboard.press('Enter');
    await expect(new ComputePanel(page).node).toBeVisible();

    await page.keyboard.press('Control+Shift+C');
    await page.locator('#modal-command-palette input').fill('Open the Runs Panel');
    await page.keyboard.press('Enter');
    const runs = new RunsPanel(page);
    await expect(runs.node).toBeVisible();
    await expect(runs.header('params.i')).toBeVisible();
    await expect(runs.header('metrics.score')).toBeVisible();

    await page.keyboard.press('Control+Shift+C');
    await page.locator('#modal-command-palette input').fill('Choose Runs Table Columns');
    await page.keyboard.press('Enter');
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByLabel('params.half').check();
    await dialog.getByRole('button', { name: 'Show' }).click();
    await expect(runs.header('params.half')).toBeVisible();
    await expect(runs.header('params.i')).toHaveCount(0);
    await expect(runs.header('metrics.score')).toHaveCount(0);
    expect(await runs.column('params.half')).toEqual(['1', '1', '1', '1', '1', '1', '0', '0', '0', '0']);
  });

  test('runs are selected from the keyboard', async ({ page }) => {
    const runs = new RunsPanel(page);
    await runs.open();
    await runs.node.getByLabel('Select run page-run-11', { exact: true }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await expect(runs.node.getByRole('button', { name: 'page-run-11', exact: true })).toBeFocused();
    await expect(runs.row('page-run-11')).toHaveAttribute('aria-selected', 'true');
    await expect(runs.chart).toHaveAttribute('data-series', '1');
    await page.keyboard.press('Enter');
    await expect(page.locator('.jp-mlext-run-detail:visible h2')).toHaveText('page-run-11');
  });
});
