import { expect, test } from '@jupyterlab/galata';

const PLUGIN_ID = 'jupyter-mlext:plugin';

test('JupyterLab loads and activates the jupyter-mlext plugin', async ({
  page
}) => {
  const state = await page.evaluate(id => {
    const app = window.jupyterapp;
    return { has: app.hasPlugin(id), activated: app.isPluginActivated(id) };
  }, PLUGIN_ID);

  expect(state).toEqual({ has: true, activated: true });
});
