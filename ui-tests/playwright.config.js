/**
 * Playwright configuration: galata's defaults, the system Chromium, and a
 * JupyterLab started on 127.0.0.1:PORT (MLEXT_UI_PORT, default 18888) with jupyter_server_test_config.py
 * over a fresh workspace (MLEXT_WORKSPACE, shared with the tests so that they
 * can seed it).
 *
 * `MLEXT_PERF=1` runs the frontend benchmark (tests/perf.spec.ts) instead of
 * the UI tests.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

const PORT = Number(process.env.MLEXT_UI_PORT || 18888);
const BASE_URL = `http://127.0.0.1:${PORT}`;

if (!process.env.MLEXT_WORKSPACE) {
  process.env.MLEXT_WORKSPACE = fs.mkdtempSync(
    path.join(os.tmpdir(), 'mlext-ui-tests-workspace-')
  );
}

const perf = Boolean(process.env.MLEXT_PERF);

module.exports = {
  ...baseConfig,
  reporter: [['list'], ['html', { open: 'never' }]],
  workers: 1,
  timeout: perf ? 10 * 60 * 1000 : 90 * 1000,
  testMatch: perf ? 'perf.spec.ts' : undefined,
  testIgnore: perf ? undefined : 'perf.spec.ts',
  use: {
    ...baseConfig.use,
    baseURL: BASE_URL,
    video: 'off',
    screenshot: 'on',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync'
      ]
    }
  },
  webServer: {
    command: `jupyter lab --config jupyter_server_test_config.py --ServerApp.port=${PORT}`,
    url: `${BASE_URL}/lab`,
    timeout: 120 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
