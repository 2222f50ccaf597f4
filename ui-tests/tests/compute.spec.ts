import { expect, test } from '@jupyterlab/galata';

import { api, ComputePanel } from './helpers/mlext';

/**
 * A script that logs for up to a minute unless canceled.
 */
const SLOW_SCRIPT = `import argparse
import time

import jupyter_mlext as mlx

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=600)
args = parser.parse_args()
run = mlx.Run.get_context()
print("training", flush=True)
for step in range(args.steps):
    run.log("progress", step, step=step)
    time.sleep(0.1)
`;

test.describe('Compute panel', () => {
  test('submits a script from the file browser and cancels it', async ({ page, tmpPath }) => {
    await page.contents.uploadContent(SLOW_SCRIPT, 'text', `${tmpPath}/slow_train.py`);
    await page.filebrowser.openDirectory(tmpPath);
    const compute = new ComputePanel(page);
    await compute.open();
    await expect(compute.target('local')).toBeVisible();

    await page.sidebar.openTab('filebrowser');
    await page.locator('.jp-DirListing-item[data-file-type="python"]', { hasText: 'slow_train.py' }).click({
      button: 'right'
    });
    await page.getByRole('menuitem', { name: 'Submit as run…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByLabel('Script')).toHaveValue(`${tmpPath}/slow_train.py`);
    await dialog.getByLabel('Experiment').fill('ui-compute');
    await dialog.getByLabel('Run name').fill('slow-job');
    await dialog.getByLabel('Arguments').fill('--steps 600');
    await dialog.getByRole('button', { name: 'Submit' }).click();

    // Submitting shows the Compute panel, where the run waits or runs.
    await expect(compute.node).toBeVisible();
    const queued = compute.queued('slow-job');
    await expect(queued).toBeVisible();
    await expect(queued).toHaveAttribute('data-status', 'Running', { timeout: 30000 });
    await expect(compute.target('local').locator('[data-busy]')).toHaveText('1');

    await queued.getByRole('button', { name: 'Cancel run slow-job' }).click();
    await expect(queued).toBeHidden({ timeout: 30000 });
    const run = (await api(page.request, "runs?experiment=ui-compute&filter=name%20%3D%20'slow-job'")).runs[0];
    expect(run.status).toBe('Canceled');
  });

  test('shows the server refusing a submission', async ({ page }) => {
    const compute = new ComputePanel(page);
    await compute.open();
    await compute.node.getByRole('button', { name: 'Submit script…' }).click();
    const dialog = page.locator('.jp-Dialog');
    await dialog.getByLabel('Script').fill('no/such/script.py');
    await dialog.getByRole('button', { name: 'Submit' }).click();
    const error = page.locator('.jp-Dialog');
    await expect(error).toContainText('Submitting the run failed');
    await expect(error).toContainText('script');
    await error.getByRole('button', { name: 'Close' }).click();
    await expect(error).toBeHidden();
  });
});
