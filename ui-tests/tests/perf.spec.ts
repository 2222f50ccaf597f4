/**
 * Frontend benchmark (not a test of timing: it asserts only that each step
 * happened). Run with `MLEXT_PERF=1` (scripts/ui-tests.sh --perf); writes
 * benchmarks/results/frontend.json.
 *
 * Every figure is measured inside the page, from the moment the action is
 * dispatched to the frame in which its result is in the DOM (the chart's
 * figure ends in uPlot's draw hook, after the canvas was painted).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

import { python, RunsPanel } from './helpers/mlext';

const RESULTS = path.resolve(__dirname, '..', '..', 'benchmarks', 'results', 'frontend.json');
const REPEATS = 7;
const PAGE_SIZE = 100;

interface IFigure {
  median_ms: number;
  min_ms: number;
  max_ms: number;
  samples_ms: number[];
}

function figure(samples: number[]): IFigure {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number): number => Math.round(value * 10) / 10;
  return {
    median_ms: round(sorted[Math.floor(sorted.length / 2)]),
    min_ms: round(sorted[0]),
    max_ms: round(sorted[sorted.length - 1]),
    samples_ms: samples.map(round)
  };
}

/**
 * Run `action` (page-side source of a function) and time it until
 * `condition` (page-side source of a predicate) holds, checked every frame.
 */
async function timeInPage(page: IJupyterLabPageFixture, action: string, condition: string): Promise<number> {
  return page.evaluate(
    ([actionSource, conditionSource]) => {
      const act = new Function(actionSource) as () => void;
      const done = new Function(`return (${conditionSource});`) as () => boolean;
      return new Promise<number>((resolve, reject) => {
        const started = performance.now();
        const deadline = started + 60000;
        const check = (): void => {
          if (done()) {
            resolve(performance.now() - started);
          } else if (performance.now() > deadline) {
            reject(new Error(`not reached within 60 s: ${conditionSource}`));
          } else {
            requestAnimationFrame(check);
          }
        };
        act();
        requestAnimationFrame(check);
      });
    },
    [action, condition]
  );
}

const PANEL = "document.querySelector('#jp-mlext-runs')";
const ROWS = `${PANEL}.querySelectorAll('.jp-mlext-runs-table tbody tr[data-run-id]')`;
const LOSS_HEADER = `${PANEL}.querySelector('th[data-field="metrics.loss"]')`;
const PAGE_LABEL = `${PANEL}.querySelector('.jp-mlext-page-label').textContent`;
const CHART = `${PANEL}.querySelector('.jp-mlext-chart')`;
const TABLE_READY = `${PANEL} && ${PANEL}.dataset.loading === 'false' && ${ROWS}.length === ${PAGE_SIZE}`;

test('frontend performance with 10,000 runs and a 1,000,000-point series', async ({ page, browser }) => {
  const seeded = JSON.parse(python(fs.readFileSync(path.join(__dirname, '..', 'seed_perf.py'), 'utf-8')));
  const runs = new RunsPanel(page);
  const samples: { [name: string]: number[] } = {
    open_runs_panel: [],
    sort_by_metric: [],
    filter: [],
    next_page: [],
    chart_1m_points: []
  };
  let chartPoints = 0;
  const fetchAndDraw: number[] = [];

  for (let repeat = 0; repeat < REPEATS; repeat++) {
    // A fresh JupyterLab each time, its layout reset, so that the panel loads on opening.
    await page.goto('?reset');
    await page.waitForFunction(() => (window as any).jupyterapp?.commands?.hasCommand('mlext:open-runs'));
    samples.open_runs_panel.push(
      await timeInPage(page, "window.jupyterapp.commands.execute('mlext:open-runs')", TABLE_READY)
    );
    await page.sidebar.setWidth(620, 'left');
    await expect(runs.node.locator('.jp-mlext-experiment[data-experiment="perf-10k"]')).toContainText('10000');
    samples.sort_by_metric.push(
      await timeInPage(
        page,
        `${LOSS_HEADER}.querySelector('button').click()`,
        `${TABLE_READY} && ${LOSS_HEADER}.getAttribute('aria-sort') === 'descending'`
      )
    );
    samples.next_page.push(
      await timeInPage(
        page,
        `[...${PANEL}.querySelectorAll('.jp-mlext-pager button')].find(b => b.textContent.startsWith('Next')).click()`,
        `${TABLE_READY} && ${PAGE_LABEL}.startsWith('Runs ${PAGE_SIZE + 1}')`
      )
    );
    samples.filter.push(
      await timeInPage(
        page,
        `const input = ${PANEL}.querySelector('.jp-mlext-filter-input');
         input.value = "params.lr > 0.0005 and metrics.loss < 0.999";
         input.form.requestSubmit();`,
        `${TABLE_READY} && ${PAGE_LABEL}.startsWith('Runs 1–')`
      )
    );
    await runs.filter('');
    await runs.chooseExperiment('perf-1m');
    samples.chart_1m_points.push(
      await timeInPage(
        page,
        `${PANEL}.querySelector('input[aria-label="Select run one-million-points"]').click()`,
        `${CHART}.dataset.key === 'loss' && Number(${CHART}.dataset.points) > 0`
      )
    );
    chartPoints = await runs.chartPoints();
    fetchAndDraw.push(Number(await runs.chart.getAttribute('data-load-ms')));
  }

  expect(chartPoints).toBeGreaterThan(100);
  const history = await page.request.get(`/mlext/api/runs/${seeded.big_run}/metrics/loss?max_points=1`);
  expect((await history.json()).total_points).toBe(1_000_000);

  const figures = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, figure(values)]));
  const report = {
    what:
      'JupyterLab Runs panel in headless Chromium against a real jupyter server: 10,000 runs in the workspace ' +
      `(page of ${PAGE_SIZE}), and one run with a 1,000,000-point metric series`,
    how: 'ms from dispatching the action to the frame in which the result is in the DOM; ' + `${REPEATS} repeats`,
    generated_at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, platform: `${os.platform()} ${os.release()}` },
    browser: `chromium ${browser.version()}`,
    targets_ms: { open_runs_panel: 1000, chart_1m_points: 500 },
    figures,
    chart_1m_points_detail: {
      points_drawn: chartPoints,
      fetch_and_draw_ms: figure(fetchAndDraw)
    }
  };
  fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
  fs.writeFileSync(RESULTS, JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
});
