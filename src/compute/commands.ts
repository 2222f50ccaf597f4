/**
 * The Compute commands: open the panel, submit a script as a run (also from the file browser's context menu).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { FileBrowser } from '@jupyterlab/filebrowser';

import { addToPalette } from '../common/palette';
import { CommandIDs, IMLExt } from '../tokens';
import { submitScript } from './dialogs';
import { ComputePanel } from './panel';

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

export function addComputeCommands(
  app: JupyterFrontEnd,
  service: IMLExt,
  panel: ComputePanel,
  fileBrowser: FileBrowser | null,
  palette: ICommandPalette | null
): void {
  const commands = app.commands;

  commands.addCommand(CommandIDs.openCompute, {
    label: 'Open the Compute Panel',
    caption: 'Compute targets and the queue of submitted runs',
    execute: () => {
      app.shell.activateById(panel.id);
      return panel.ensureLoaded();
    }
  });

  commands.addCommand(CommandIDs.submit, {
    label: 'Submit Script as Run…',
    caption: 'Run a Python script on a compute target as a tracked run',
    execute: async args => {
      const path = typeof args.path === 'string' ? args.path : selectedPythonFile(fileBrowser);
      const run = await submitScript(service, path);
      if (run) {
        app.shell.activateById(panel.id);
        await panel.model.refresh();
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

  app.contextMenu.addItem({
    command: CommandIDs.submitFile,
    selector: '.jp-DirListing-item[data-file-type="python"]',
    rank: 10
  });

  addToPalette(palette, [CommandIDs.openCompute, CommandIDs.submit]);
}
