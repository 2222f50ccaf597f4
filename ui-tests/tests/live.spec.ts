import { expect, test } from '@jupyterlab/galata';

import { python, RunsPanel } from './helpers/mlext';

/**
 * A tracked cell that logs one `loss` point every 0.2 s for 8 s.
 */
const LIVE_CELL = `import time
import jupyter_mlext as mlx

with mlx.start_run("ui-live", name="live-cell") as run:
    for step in range(40):
        run.log("loss", 1 / (step + 1), step=step)
        time.sleep(0.2)`;

test('a run started in a notebook appears and its chart grows without a reload', async ({ page }) => {
  const runs = new RunsPanel(page);
  await page.notebook.createNew('live.ipynb');
  await page.notebook.setCell(0, 'code', 'import jupyter_mlext as mlx');
  await page.notebook.runCell(0, true);
  await page.notebook.addCell('code', LIVE_CELL);
  await runs.open();

  await page.notebook.runCell(1, { wait: false });
  const row = runs.row('live-cell');
  await expect(row).toBeVisible({ timeout: 2000 });
  await expect(row).toHaveAttribute('data-status', 'Running');

  await runs.select('live-cell');
  await expect(runs.chart).toHaveAttribute('data-key', 'loss');
  const before = await runs.chartPoints();
  await expect.poll(() => runs.chartPoints(), { timeout: 2000 }).toBeGreaterThan(before);

  await expect(row).toHaveAttribute('data-status', 'Completed', { timeout: 30000 });
  await expect.poll(() => runs.chartPoints(), { timeout: 5000 }).toBe(40);
  await expect(runs.node.locator('.jp-mlext-experiment[data-experiment="ui-live"]')).toContainText('1');
});

test('the change feed reconnects after a dropped connection and resumes from its cursor', async ({ page }) => {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    (window as any).mlextSockets = sockets;
    (window as any).WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        if (String(url).includes('mlext/api/events')) {
          sockets.push(this);
        }
      }
    };
  });
  await page.reload();
  const runs = new RunsPanel(page);
  await runs.open();
  const connection = runs.node.locator('.jp-mlext-connection');
  await expect(connection).toHaveAttribute('data-state', 'open');

  await page.evaluate(() => (window as any).mlextSockets.at(-1).close());
  await expect.poll(() => page.evaluate(() => (window as any).mlextSockets.length)).toBe(2);
  await expect(connection).toHaveAttribute('data-state', 'open');
  const resumedFrom = await page.evaluate(() => (window as any).mlextSockets[1].url);
  expect(resumedFrom).toMatch(/[?&]cursor=\d+/);

  python('import jupyter_mlext as mlx\nwith mlx.start_run("ui-live", name="after-reconnect"): pass');
  await expect(runs.row('after-reconnect')).toHaveAttribute('data-status', 'Completed');
});
