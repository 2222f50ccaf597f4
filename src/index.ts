import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { MLExtClient } from './api/client';
import { computeIcon, modelsIcon, pipelinesIcon, runsIcon } from './common/icons';
import { addToPalette } from './common/palette';
import { MLExtService } from './common/service';
import { addComputeCommands } from './compute/commands';
import { ComputePanel } from './compute/panel';
import { addModelsCommands } from './models/commands';
import { ModelsPanel } from './models/panel';
import { addPipelinesCommands } from './pipelines/commands';
import { addExportPipeline } from './pipelines/export';
import { PipelinesPanel } from './pipelines/panel';
import { addRunsCommands } from './runs/commands';
import { RunsPanel } from './runs/panel';
import { CommandIDs, IMLExt, PLUGIN_ID } from './tokens';

/**
 * The shared service: REST client, change feed and settings.
 */
const corePlugin: JupyterFrontEndPlugin<IMLExt> = {
  id: PLUGIN_ID,
  description: 'A local-first machine-learning tracking workbench.',
  autoStart: true,
  provides: IMLExt,
  optional: [ISettingRegistry],
  activate: (app: JupyterFrontEnd, registry: ISettingRegistry | null): IMLExt => {
    const service = new MLExtService(new MLExtClient(app.serviceManager.serverSettings));
    service.client.health().catch((reason: unknown) => {
      console.warn('jupyter-mlext server extension is not available:', reason);
    });
    service.events.connect();
    if (registry) {
      registry
        .load(PLUGIN_ID)
        .then(settings => service.useSettings(settings))
        .catch(reason => {
          console.error('jupyter-mlext: settings could not be loaded, using the defaults', reason);
          service.useDefaults();
        });
    } else {
      service.useDefaults();
    }
    return service;
  }
};

/**
 * The Runs, Compute, Models and Pipelines sidebar panels, run details, commands and the file
 * browser's "Submit as run…".
 */
const panelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlext:panels',
  description: 'Runs and Compute panels of jupyter-mlext.',
  autoStart: true,
  requires: [IMLExt],
  optional: [ICommandPalette, ILayoutRestorer, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    service: IMLExt,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    fileBrowser: IDefaultFileBrowser | null
  ): void => {
    const openRun = (id: string): void => void app.commands.execute(CommandIDs.openRun, { id });
    const cancelRun = async (id: string): Promise<void> => {
      await app.commands.execute(CommandIDs.cancelRun, { id });
    };
    const runsPanel = new RunsPanel({
      service,
      openRun,
      chooseColumns: () => void app.commands.execute(CommandIDs.chooseColumns)
    });
    runsPanel.title.icon = runsIcon;
    const computePanel = new ComputePanel({
      service,
      openRun,
      cancelRun,
      submit: () => void app.commands.execute(CommandIDs.submit)
    });
    computePanel.title.icon = computeIcon;
    const modelsPanel = new ModelsPanel({ service, openRun });
    modelsPanel.title.icon = modelsIcon;
    const pipelinesPanel = new PipelinesPanel({ service, openRun });
    pipelinesPanel.title.icon = pipelinesIcon;
    app.shell.add(runsPanel, 'left', { rank: 600 });
    app.shell.add(computePanel, 'left', { rank: 610 });
    app.shell.add(modelsPanel, 'left', { rank: 605 });
    app.shell.add(pipelinesPanel, 'left', { rank: 615 });
    if (restorer) {
      restorer.add(runsPanel, 'mlext-runs');
      restorer.add(computePanel, 'mlext-compute');
      restorer.add(modelsPanel, 'mlext-models');
      restorer.add(pipelinesPanel, 'mlext-pipelines');
    }
    addRunsCommands(app, service, runsPanel, palette);
    addComputeCommands(app, service, computePanel, fileBrowser, palette);
    addModelsCommands(app, modelsPanel, palette);
    addPipelinesCommands(app, pipelinesPanel, palette);
    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh Runs and Compute',
      execute: () => Promise.all([runsPanel.refresh(), computePanel.model.refresh()])
    });
    addToPalette(palette, [CommandIDs.refresh]);
  }
};

/**
 * "Export to pipeline" on notebooks: a command, in the palette and on each
 * notebook's toolbar.
 */
const exportPipelinePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyter-mlext:export-pipeline',
  description: 'Export a notebook to a jupyter-mlext pipeline folder.',
  autoStart: true,
  requires: [IMLExt, INotebookTracker],
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, service: IMLExt, tracker: INotebookTracker, palette: ICommandPalette | null): void =>
    addExportPipeline(app, service, tracker, palette)
};

export default [corePlugin, panelsPlugin, exportPipelinePlugin];
