import * as fs from 'fs';
import * as path from 'path';

import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { Locator } from '@playwright/test';

import { api, PipelinesPanel, screenshotPath } from './helpers/mlext';

/**
 * The workspace holds `demo-pipeline` of examples/seed_demo.py, published and
 * run once: prepare → train and baseline → evaluate, with params `rows` (for
 * prepare) and `seconds` (how long train sleeps).
 */
const PIPELINE = 'demo-pipeline';
const STEPS = ['prepare', 'train', 'baseline', 'evaluate'];
const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'pipeline.ipynb');

interface IRunSummary {
  run_id: string;
  state: string;
  trigger: string;
}

async function pipelineRuns(page: IJupyterLabPageFixture): Promise<IRunSummary[]> {
  return (await api<{ runs: IRunSummary[] }>(page.request, `pipelines/${PIPELINE}/runs`)).runs;
}

async function top(locator: Locator): Promise<number> {
  return (await locator.boundingBox())!.y;
}

/**
 * Start a run over REST (as a schedule or another client would) that keeps
 * `train` busy for `seconds`.
 */
async function trigger(page: IJupyterLabPageFixture, seconds: number): Promise<string> {
  const response = await page.request.post(`/mlext/api/pipelines/${PIPELINE}/runs`, {
    data: { params: { seconds } }
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()).run_id;
}

test.describe('Pipelines panel', () => {
  test.use({ viewport: { width: 1366, height: 900 } });

  test('shows the published pipeline and its run as a DAG; a step opens its run', async ({ page }) => {
    const seeded = (await pipelineRuns(page)).at(-1)!;
    expect(seeded.state).toBe('Completed');
    const panel = new PipelinesPanel(page);
    await panel.open();
    await expect(panel.pipeline(PIPELINE)).toHaveAttribute('aria-pressed', 'true');
    await expect(panel.node.locator('.jp-mlext-pipeline-summary')).toContainText(STEPS.join(', '));
    await expect(panel.node.locator('.jp-mlext-pipeline-summary')).toContainText('rows=100 seconds=0.1');

    await panel.node.locator(`.jp-mlext-pipeline-runs tr[data-run-id="${seeded.run_id}"] button`).click();
    await expect(panel.graph).toHaveAttribute('data-run-id', seeded.run_id);
    for (const name of STEPS) {
      await expect(panel.step(name)).toHaveAttribute('data-look', 'completed');
      await expect(panel.step(name)).toContainText('Completed');
    }
    await expect(panel.step('evaluate')).toHaveAccessibleName(
      'Step evaluate: Completed, after baseline, train. Open its run'
    );
    // Topological layers: prepare, then train and baseline side by side, then evaluate; one edge per input.
    const [prepare, train, baseline, evaluate] = await Promise.all(STEPS.map(name => top(panel.step(name))));
    expect(prepare).toBeLessThan(train);
    expect(train).toBe(baseline);
    expect(train).toBeLessThan(evaluate);
    await expect(panel.edges()).toHaveCount(4);

    // Keyboard: a step is a button; Enter opens its run.
    const trainRun = await panel.step('train').getAttribute('data-run-id');
    await panel.step('train').focus();
    await page.keyboard.press('Enter');
    await expect(page.locator(`#jp-mlext-run-${trainRun}`)).toBeVisible();
  });

  test('Run… starts the pipeline with params; its steps change status live', async ({ page }) => {
    const panel = new PipelinesPanel(page);
    await panel.open();
    const before = (await pipelineRuns(page)).length;

    await panel.node.getByRole('button', { name: `Run pipeline ${PIPELINE}…` }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText(`Run pipeline ${PIPELINE}`);
    await expect(dialog.getByLabel('rows')).toHaveValue('100');
    await dialog.getByLabel('seconds').fill('soon');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(page.locator('.jp-Dialog')).toContainText('Param seconds: give a number');
    await page.locator('.jp-Dialog').getByRole('button', { name: 'Close' }).click();
    expect(await pipelineRuns(page)).toHaveLength(before);

    await panel.node.getByRole('button', { name: `Run pipeline ${PIPELINE}…` }).click();
    await dialog.getByLabel('seconds').fill('4');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(panel.runRows()).toHaveCount(before + 1);
    const runs = await pipelineRuns(page);
    const started = runs[0];
    expect(started.trigger).toBe('rest');
    await expect(panel.graph).toHaveAttribute('data-run-id', started.run_id);
    await expect(panel.runRows().first()).toHaveClass(/jp-mlext-selected/);

    // prepare and baseline did not change: reused. train sleeps 4 s: seen running, then completed.
    await expect(panel.step('prepare')).toHaveAttribute('data-look', 'reused', { timeout: 30000 });
    await expect(panel.step('train')).toHaveAttribute('data-look', 'running', { timeout: 30000 });
    await expect(panel.step('train')).toContainText('Running');
    await expect(panel.step('evaluate')).toHaveAttribute('data-look', 'pending');
    await expect(panel.step('evaluate')).toHaveAttribute('aria-disabled', 'true');
    await expect(panel.step('baseline')).toHaveAttribute('data-look', 'reused');
    await expect(panel.step('train')).toHaveAttribute('data-look', 'completed', { timeout: 30000 });
    await expect(panel.step('evaluate')).toHaveAttribute('data-look', 'completed', { timeout: 30000 });
    await expect(panel.graph).toHaveAttribute('data-state', 'Completed', { timeout: 30000 });
    await expect(panel.runRows().first()).toHaveAttribute('data-state', 'Completed');
  });

  test('a run started elsewhere shows up and is followed live', async ({ page }) => {
    const panel = new PipelinesPanel(page);
    await panel.open();
    const runId = await trigger(page, 3.5);
    await expect(panel.node.locator(`.jp-mlext-pipeline-runs tr[data-run-id="${runId}"]`)).toBeVisible();
    await panel.node.locator(`.jp-mlext-pipeline-runs tr[data-run-id="${runId}"] button`).click();
    await expect(panel.step('train')).toHaveAttribute('data-look', /queued|preparing|running/);
    await expect(panel.graph).toHaveAttribute('data-state', 'Completed', { timeout: 30000 });
    await expect(panel.step('evaluate')).toHaveAttribute('data-look', 'completed');
    await expect(panel.step('prepare')).toHaveAttribute('data-look', 'reused');
  });

  test('Cancel stops a running run after confirmation; its steps show Canceled and Not started', async ({
    page
  }) => {
    const panel = new PipelinesPanel(page);
    await panel.open();
    const runId = await trigger(page, 300);
    const row = panel.node.locator(`.jp-mlext-pipeline-runs tr[data-run-id="${runId}"]`);
    await row.locator('button').click();
    await expect(panel.graph).toHaveAttribute('data-run-id', runId);
    await expect(panel.step('train')).toHaveAttribute('data-look', 'running', { timeout: 30000 });

    const cancel = panel.node.getByRole('button', { name: `Cancel run ${runId.slice(0, 8)} of ${PIPELINE}` });
    await cancel.click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Cancel pipeline run');
    await dialog.getByRole('button', { name: 'Keep running' }).click();
    await expect(panel.graph).toHaveAttribute('data-state', 'Running');

    await cancel.click();
    await dialog.getByRole('button', { name: 'Cancel run' }).click();
    await expect(panel.graph).toHaveAttribute('data-state', 'Canceled', { timeout: 30000 });
    await expect(panel.step('train')).toHaveAttribute('data-look', 'canceled');
    await expect(panel.step('train')).toContainText('Canceled');
    await expect(panel.step('evaluate')).toHaveAttribute('data-look', 'notstarted');
    await expect(row).toHaveAttribute('data-state', 'Canceled');
    await expect(cancel).toHaveCount(0);
    const run = await api<{ state: string; status: string }>(page.request, `pipeline-runs/${runId}`);
    expect([run.state, run.status]).toEqual(['Canceled', 'Canceled']);
  });
});

test.describe('Export to pipeline', () => {
  test('the notebook toolbar button exports the notebook and says what it wrote', async ({ page, tmpPath }) => {
    await page.contents.uploadContent(fs.readFileSync(EXAMPLE, 'utf-8'), 'text', `${tmpPath}/pipeline.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/pipeline.ipynb`);
    const button = page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="mlextExportPipeline"]');
    await expect(button).toContainText('Export to pipeline');
    await button.locator('button, jp-button').first().click();

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Exported to pipeline');
    await expect(dialog.locator('.jp-mlext-export-folder')).toHaveText(`${tmpPath}/pipeline_pipeline/`);
    await expect(dialog.locator('.jp-mlext-export-steps')).toHaveText('load → split → train → evaluate');
    await dialog.locator('.jp-mod-accept').click();
    expect(await page.contents.fileExists(`${tmpPath}/pipeline_pipeline/pipeline.yaml`)).toBe(true);
  });

  test("the server's refusal is shown (a variable no step defines)", async ({ page, tmpPath }) => {
    const notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
      cells: [
        {
          cell_type: 'code',
          id: 'a',
          metadata: { tags: ['step:first'] },
          source: 'x = 1',
          outputs: [],
          execution_count: null
        },
        {
          cell_type: 'code',
          id: 'b',
          metadata: { tags: ['step:second'] },
          source: '# mlext: inputs = weights\nprint(weights)',
          outputs: [],
          execution_count: null
        }
      ]
    };
    await page.contents.uploadContent(JSON.stringify(notebook), 'text', `${tmpPath}/broken.ipynb`);
    await page.notebook.openByPath(`${tmpPath}/broken.ipynb`);
    // This time from the command palette, once the kernel has started (its start takes the focus back).
    await expect(page.locator('#jp-main-statusbar')).toContainText('| Idle', { timeout: 30000 });
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('apputils:activate-command-palette');
    });
    await page.locator('.lm-CommandPalette-input').fill('Export Notebook to Pipeline');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Export Notebook to Pipeline' }).first().click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Export to pipeline failed');
    await expect(dialog).toContainText("step 'second' declares input 'weights', which no earlier step defines");
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect(await page.contents.fileExists(`${tmpPath}/broken_pipeline/pipeline.yaml`)).toBe(false);
  });
});

test.describe('Pipelines screenshots', () => {
  test.use({ viewport: { width: 1366, height: 800 } });

  for (const theme of ['light', 'dark'] as const) {
    test(`the Pipelines panel with a run in progress (${theme} theme)`, async ({ page }) => {
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      } else {
        await page.theme.setLightTheme();
      }
      const runId = await trigger(page, theme === 'light' ? 6.1 : 6.2);
      const panel = new PipelinesPanel(page);
      await panel.open(560);
      await expect(panel.graph).toHaveAttribute('data-run-id', runId);
      await expect(panel.step('train')).toHaveAttribute('data-look', 'running', { timeout: 30000 });
      await panel.step('prepare').click();
      await expect(page.locator('.jp-mlext-run-detail:visible')).toBeVisible();
      await page.screenshot({ path: screenshotPath(`pipelines-${theme}.png`) });
      await expect(panel.graph).toHaveAttribute('data-state', 'Completed', { timeout: 30000 });
    });
  }
});
