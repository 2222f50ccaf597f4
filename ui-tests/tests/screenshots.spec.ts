import { expect, test } from '@jupyterlab/galata';

import { api, ComputePanel, RunsPanel, screenshotPath } from './helpers/mlext';

/**
 * The README's pictures: each panel in the light and the dark theme (see
 * screenshotPath for where they go).
 */

const SCRIPT = `import time
import jupyter_mlext as mlx

run = mlx.Run.get_context()
for step in range(600):
    run.log("loss", 1 / (step + 1) ** 0.5, step=step)
    if step % 5 == 0:
        print(f"step {step}: loss {1 / (step + 1) ** 0.5:.4f}", flush=True)
    time.sleep(0.1)
`;

test.use({ viewport: { width: 1366, height: 800 } });

for (const theme of ['light', 'dark'] as const) {
  test(`screenshots of the Runs and Compute panels (${theme} theme)`, async ({ page, tmpPath }) => {
    if (theme === 'dark') {
      await page.theme.setDarkTheme();
    } else {
      await page.theme.setLightTheme();
    }
    const runs = new RunsPanel(page);
    await runs.open(640);
    await runs.chooseExperiment('demo-sweep');
    await runs.select('lr=0.02');
    await runs.select('lr=0.05');
    await runs.select('lr=0.2');
    await expect(runs.chart).toHaveAttribute('data-series', '3');
    await runs.row('lr=0.05').getByRole('button', { name: 'lr=0.05' }).click();
    await expect(page.locator('.jp-mlext-run-detail:visible .jp-mlext-chart')).toHaveAttribute('data-points', /^[1-9]/);
    await page.screenshot({ path: screenshotPath(`runs-${theme}.png`) });

    await page.contents.uploadContent(SCRIPT, 'text', `${tmpPath}/train_loop.py`);
    const submitted = await page.request.post('/mlext/api/runs', {
      data: {
        script: `${tmpPath}/train_loop.py`,
        args: [],
        compute: 'local',
        experiment: 'screenshots',
        name: `train-${theme}`
      }
    });
    expect(submitted.status(), await submitted.text()).toBe(201);
    const run = await submitted.json();
    try {
      const compute = new ComputePanel(page);
      await compute.open(640);
      const queued = compute.queuedRun(run.id);
      await expect(queued).toHaveAttribute('data-status', 'Running', { timeout: 30000 });
      await queued.getByRole('button', { name: run.name, exact: true }).click();
      const detail = page.locator('.jp-mlext-run-detail:visible');
      await expect
        .poll(async () => Number(await detail.locator('.jp-mlext-chart').getAttribute('data-points')), {
          timeout: 30000
        })
        .toBeGreaterThan(40);
      await expect(detail.locator('.jp-mlext-log-text')).toContainText('step 40');
      await page.screenshot({ path: screenshotPath(`compute-${theme}.png`) });
    } finally {
      const canceled = await page.request.post(`/mlext/api/runs/${run.id}/cancel`, { data: {} });
      expect(canceled.ok(), await canceled.text()).toBe(true);
    }
    await expect
      .poll(async () => (await api(page.request, `runs/${run.id}`)).status, { timeout: 30000 })
      .toBe('Canceled');
  });
}
