import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { FileBrowser } from '@jupyterlab/filebrowser';

import { cancelRun, submitScript } from './actions';
import { errorMessage } from './api';
import { ColumnsForm } from './columnsDialog';
import { ComputePanel } from './computePanel';
import { ModelsPanel } from './modelsPanel';
import { PipelinesPanel } from './pipelinesPanel';
import { RunDetail } from './runDetail';
import { RunsPanel } from './runsPanel';
import { availableFields } from './runsTable';
import { CommandIDs, IMLExt } from './tokens';

export const PALETTE_CATEGORY = 'ML Runs';

/**
 * What the commands act on.
 */
export interface ICommandContext {
  app: JupyterFrontEnd;
  service: IMLExt;
  runsPanel: RunsPanel;
  computePanel: ComputePanel;
  modelsPanel: ModelsPanel;
  pipelinesPanel: PipelinesPanel;
  fileBrowser: FileBrowser | null;
  palette: ICommandPalette | null;
}

/**
 * The path of the Python file selected in the file browser, or ''.
 */
function selectedPythonFile(browser: FileBrowser | null): string {
  if (!browser) {
    return '';
  }
  for (const item of browser.selectedItems()) {
    if (item.type !== 'directory' && item.path.endsWith('.py')) {
      return item.path;
    }
  }
  return '';
}

/**
 * Register the commands and put those that make sense without arguments in
 * the command palette.
 */
export function addCommands(context: ICommandContext): void {
  const { app, service, runsPanel, computePanel, modelsPanel, pipelinesPanel, fileBrowser, palette } = context;
  const commands = app.commands;
  const details = new Map<string, RunDetail>();

  commands.addCommand(CommandIDs.openRuns, {
    label: 'Open the Runs Panel',
    caption: 'Experiments, runs and their metric charts',
    execute: () => {
      app.shell.activateById(runsPanel.id);
      return runsPanel.ensureLoaded();
    }
  });

  commands.addCommand(CommandIDs.openCompute, {
    label: 'Open the Compute Panel',
    caption: 'Compute targets and the queue of submitted runs',
    execute: () => {
      app.shell.activateById(computePanel.id);
      return computePanel.ensureLoaded();
    }
  });

  commands.addCommand(CommandIDs.openModels, {
    label: 'Open the Models Panel',
    caption: 'Registered models, their versions, aliases, lineage and history',
    execute: () => {
      app.shell.activateById(modelsPanel.id);
      return modelsPanel.refresh();
    }
  });

  commands.addCommand(CommandIDs.openPipelines, {
    label: 'Open the Pipelines Panel',
    caption: 'Published pipelines, their runs and each run as a graph of steps',
    execute: () => {
      app.shell.activateById(pipelinesPanel.id);
      return pipelinesPanel.refresh();
    }
  });

  commands.addCommand(CommandIDs.runPipeline, {
    label: 'Run Pipeline…',
    caption: 'Run the pipeline selected in the Pipelines panel with params you choose',
    execute: async () => {
      app.shell.activateById(pipelinesPanel.id);
      if (pipelinesPanel.model.description === null) {
        await pipelinesPanel.refresh();
      }
      return pipelinesPanel.runPipeline();
    }
  });

  commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh Runs and Compute',
    execute: () => Promise.all([runsPanel.refresh(), computePanel.model.refresh()])
  });

  commands.addCommand(CommandIDs.submit, {
    label: 'Submit Script as Run…',
    caption: 'Run a Python script on a compute target as a tracked run',
    execute: async args => {
      const path = typeof args.path === 'string' ? args.path : selectedPythonFile(fileBrowser);
      const run = await submitScript(service, path);
      if (run) {
        app.shell.activateById(computePanel.id);
        await computePanel.model.refresh();
      }
      return run;
    }
  });

  commands.addCommand(CommandIDs.submitFile, {
    label: 'Submit as run…',
    caption: 'Run this script on a compute target as a tracked run',
    isVisible: () => selectedPythonFile(fileBrowser) !== '',
    execute: () => commands.execute(CommandIDs.submit, { path: selectedPythonFile(fileBrowser) })
  });

  commands.addCommand(CommandIDs.openRun, {
    label: args => `Open Run ${String(args.id ?? '')}`,
    execute: args => {
      const id = String(args.id ?? '');
      if (!id) {
        return showErrorMessage('Cannot open a run', 'No run id was given.');
      }
      let detail = details.get(id);
      if (!detail || detail.isDisposed) {
        detail = new RunDetail({ runId: id, service, cancelRun: runId => cancelRun(service, runId) });
        details.set(id, detail);
        detail.disposed.connect(() => details.delete(id));
        app.shell.add(detail, 'main');
      }
      app.shell.activateById(detail.id);
      return detail;
    }
  });

  commands.addCommand(CommandIDs.cancelRun, {
    label: 'Cancel Run',
    execute: args => cancelRun(service, String(args.id ?? ''))
  });

  commands.addCommand(CommandIDs.chooseColumns, {
    label: 'Choose Runs Table Columns…',
    execute: async () => {
      const form = new ColumnsForm(availableFields(runsPanel.model.runs), service.settings.columns);
      try {
        const result = await showDialog({
          title: 'Runs table columns',
          body: form,
          buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Show' })]
        });
        if (result.button.accept && result.value !== null) {
          await service.saveSetting('columns', result.value);
        }
      } catch (reason) {
        await showErrorMessage('Saving the columns failed', errorMessage(reason));
      }
    }
  });

  app.contextMenu.addItem({
    command: CommandIDs.submitFile,
    selector: '.jp-DirListing-item[data-file-type="python"]',
    rank: 10
  });

  if (palette) {
    for (const command of [
      CommandIDs.openRuns,
      CommandIDs.openCompute,
      CommandIDs.openModels,
      CommandIDs.openPipelines,
      CommandIDs.runPipeline,
      CommandIDs.refresh,
      CommandIDs.submit,
      CommandIDs.chooseColumns
    ]) {
      palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
}
