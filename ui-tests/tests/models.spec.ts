import { expect, test } from '@jupyterlab/galata';

import { api, ModelsPanel, python, screenshotPath } from './helpers/mlext';

/**
 * The workspace holds the model of examples/seed_demo.py: `demo-regressor`
 * v1 (from trial `lr=0.05`) and v2 (from `lr=0.2`, the best), each an
 * `outputs/model.json` tagged `task=regression` and `lr`, with `production`
 * on v2. The last test registers `live-regressor` through the REST API and
 * moves its alias from another process, and the panel follows.
 */
const MODEL = 'demo-regressor';
const LIVE_MODEL = 'live-regressor';

test.describe.configure({ mode: 'serial' });

test.describe('Models panel', () => {
  let models: ModelsPanel;

  test.beforeEach(async ({ page }) => {
    models = new ModelsPanel(page);
    await models.open();
    await models.chooseModel(MODEL);
  });

  test('shows the seeded model, its versions, the lineage of one and a download', async ({ page }) => {
    await expect(models.model(MODEL).locator('.jp-mlext-count')).toHaveText('2');
    await expect(models.versionRows()).toHaveCount(2);
    await expect(models.versionRows().first()).toHaveAttribute('data-version', '2');
    await expect(models.version(2).locator('.jp-mlext-alias')).toHaveText(['@production×']);
    await expect(models.version(1).locator('.jp-mlext-alias')).toHaveCount(0);
    await expect(models.version(1).locator('[data-tag="lr"]')).toHaveText('lr=0.05');

    await models.showVersion(1);
    const lineage = models.node.locator('.jp-mlext-model-lineage');
    await expect(models.node.getByRole('heading', { name: `Lineage of ${MODEL}:1` })).toBeVisible();
    await expect(lineage.locator('.jp-mlext-summary')).toContainText('lr=0.05');
    await expect(lineage.getByRole('table', { name: 'Params of the run' })).toContainText('0.05');
    await expect(lineage.getByRole('table', { name: 'Metrics of the run' })).toContainText('final_mse');
    await expect(lineage.locator('.jp-mlext-summary')).toContainText('lr-sweep'); // the parent run

    const download = models.node.getByRole('link', { name: `Download ${MODEL}:1` });
    const response = await page.request.get((await download.getAttribute('href')) as string);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-disposition']).toContain('model.json');
    expect(Object.keys(await response.json())).toEqual(['weights', 'bias', 'mse']);

    await lineage.getByRole('button', { name: 'lr=0.05' }).click();
    await expect(page.locator('.jp-mlext-run-detail:visible h2')).toHaveText('lr=0.05');
  });

  test('searches by name and by tag', async () => {
    await models.search('task=regression');
    await expect(models.model(MODEL)).toBeVisible();
    await models.search('lr=0.2');
    await expect(models.model(MODEL)).toBeVisible();
    await models.search('no-such-model');
    await expect(models.node.locator('.jp-mlext-model')).toHaveCount(0);
    await expect(models.node).toContainText('No model matches the search.');
    await models.search('REGRESSOR');
    await expect(models.model(MODEL)).toBeVisible();
  });

  test('moves production to another version; the history says who and when', async ({ page }) => {
    // The server records the account it runs as for its own (token) users, as the SDK does (server/identity.py),
    // not Jupyter's random per-client name: the tests run as that account too.
    const account = python('import getpass; print(getpass.getuser())').trim();
    await models.setAliasOn(1);
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.getByLabel('Alias', { exact: true })).toHaveValue('production');
    await expect(dialog.getByLabel('Version', { exact: true })).toHaveValue('1');
    await dialog.getByRole('button', { name: 'Set alias' }).click();
    await expect(dialog).toBeHidden();

    await expect(models.version(1).locator('.jp-mlext-alias')).toHaveText(['@production×']);
    await expect(models.version(2).locator('.jp-mlext-alias')).toHaveCount(0);
    const newest = models.historyRows().first();
    await expect(newest).toHaveAttribute('data-action', 'alias_set');
    await expect(newest).toContainText('moved alias production');
    await expect(newest).toContainText('v2 → v1');
    await expect(newest.locator('.jp-mlext-history-user')).toHaveText(account);

    // Put it back with the panel too: the seeded state is what the screenshots show.
    await models.setAliasOn(2);
    await dialog.getByRole('button', { name: 'Set alias' }).click();
    await expect(models.version(2).locator('.jp-mlext-alias')).toHaveText(['@production×']);
    await expect(models.historyRows().first()).toContainText('v1 → v2');
  });

  test('edits tags, removes an alias, and shows what the server refuses', async ({ page }) => {
    const dialog = page.locator('.jp-Dialog');
    await models.showVersion(1);
    await models.node.getByRole('button', { name: `Edit the tags of ${MODEL}:1` }).click();
    await dialog.locator('textarea').fill('task=regression\nstage=candidate');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(models.version(1).locator('[data-tag="stage"]')).toHaveText('stage=candidate');
    await expect(models.version(1).locator('[data-tag="lr"]')).toHaveCount(0);
    await expect(models.historyRows().first()).toContainText('removed tag lr');

    await models.setAliasOn(1);
    await dialog.getByLabel('Alias', { exact: true }).fill('staging');
    await dialog.getByRole('button', { name: 'Set alias' }).click();
    await models.version(1).getByRole('button', { name: 'Remove alias staging' }).click();
    await dialog.getByRole('button', { name: 'Remove' }).click();
    await expect(models.version(1).locator('.jp-mlext-alias')).toHaveCount(0);
    await expect(models.historyRows().first()).toContainText('removed alias staging');

    await models.setAliasOn(1);
    await dialog.getByLabel('Alias', { exact: true }).fill('1st');
    await dialog.getByRole('button', { name: 'Set alias' }).click();
    await expect(dialog).toContainText('Setting the alias failed');
    await expect(dialog).toContainText('must start with a letter');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toBeHidden();
  });

  test('opens from the command palette', async ({ page }) => {
    await page.sidebar.openTab('filebrowser');
    await page.evaluate(async () => {
      await (window as any).jupyterapp.commands.execute('apputils:activate-command-palette');
    });
    await page.locator('.lm-CommandPalette-input').fill('Open the Models Panel');
    await page.locator('.lm-CommandPalette-item', { hasText: 'Open the Models Panel' }).first().click();
    await expect(models.node).toBeVisible();
  });

  for (const theme of ['light', 'dark'] as const) {
    test(`screenshot (${theme} theme)`, async ({ page }) => {
      await page.setViewportSize({ width: 1366, height: 800 });
      if (theme === 'dark') {
        await page.theme.setDarkTheme();
      } else {
        await page.theme.setLightTheme();
      }
      models = new ModelsPanel(page);
      await models.open(700);
      await models.chooseModel(MODEL);
      await models.showVersion(2);
      await expect(models.node.getByRole('table', { name: 'Metrics of the run' })).toBeVisible();
      await page.screenshot({ path: screenshotPath(`models-${theme}.png`) });
    });
  }

  // Last: it adds a model, which the screenshots above should not show.
  test('follows registry changes made elsewhere, without Refresh', async ({ page }) => {
    const seeded = await api(page.request, `models/${MODEL}/versions/2`);
    const register = async (): Promise<void> => {
      const response = await page.request.post(`/mlext/api/models/${LIVE_MODEL}/versions`, {
        data: { run_id: seeded.run_id, path: 'outputs/model.json', tags: { stage: 'live' } }
      });
      expect(response.status(), await response.text()).toBe(201);
    };
    const moveProduction = (version: number): string =>
      python(
        `import jupyter_mlext as mlx; mlx.set_model_alias(${JSON.stringify(LIVE_MODEL)}, "production", ${version})`
      );

    await register(); // a new model: the list reloads
    await expect(models.model(LIVE_MODEL)).toBeVisible();
    await models.chooseModel(LIVE_MODEL);
    await expect(models.versionRows()).toHaveCount(1);

    await register(); // a new version of the selected model: its versions reload
    await expect(models.versionRows()).toHaveCount(2);
    await expect(models.versionRows().first()).toHaveAttribute('data-version', '2');
    await expect(models.model(LIVE_MODEL).locator('.jp-mlext-count')).toHaveText('2');

    moveProduction(1); // from another process, as a notebook cell would
    await expect(models.version(1).locator('.jp-mlext-alias')).toHaveText(['@production×']);
    moveProduction(2);
    await expect(models.version(2).locator('.jp-mlext-alias')).toHaveText(['@production×']);
    await expect(models.version(1).locator('.jp-mlext-alias')).toHaveCount(0);
    const newest = models.historyRows().first();
    await expect(newest).toHaveAttribute('data-action', 'alias_set');
    await expect(newest).toContainText('moved alias production');
    await expect(newest).toContainText('v1 → v2');
    await expect(models.node.locator('.jp-mlext-error')).toHaveText('');
  });
});
