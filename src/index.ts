import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';

import { MLExtClient } from './api';

/**
 * The jupyter-mlext frontend. It checks that the server extension answers;
 * a failing check is logged and does not stop the activation.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlext:plugin',
  description: 'A local-first machine-learning tracking workbench.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    const client = new MLExtClient(app.serviceManager.serverSettings);
    client
      .health()
      .then(health => {
        console.log('jupyter-mlext server extension:', health);
      })
      .catch((reason: unknown) => {
        console.warn('jupyter-mlext server extension is not available:', reason);
      });
  }
};

export default plugin;
