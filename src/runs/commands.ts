/**
 * The Runs commands: open the panel, open a run's details, cancel a run, choose the table's columns.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';

import { errorMessage } from '../api/errors';
import { addToPalette } from '../common/palette';
import { CommandIDs, IMLExt } from '../tokens';
import { RunDetail } from './detail';
import { chooseColumns } from './dialogs';
import { RunsPanel } from './panel';

/**
 * Ask the server to cancel a run; a refusal is shown to the user.
 */
async function cancelRun(service: IMLExt, id: string): Promise<void> {
  try {
    await service.client.cancel(id);
  } catch (reason) {
    await showErrorMessage('Cancel failed', errorMessage(reason));
  }
}

export function addRunsCommands(
  app: JupyterFrontEnd,
  service: IMLExt,
  panel: RunsPanel,
  palette: ICommandPalette | null
): void {
  const commands = app.commands;
  const details = new Map<string, RunDetail>();

  commands.addCommand(CommandIDs.openRuns, {
    label: 'Open the Runs Panel',
    caption: 'Experiments, runs and their metric charts',
    execute: () => {
      app.shell.activateById(panel.id);
      return panel.ensureLoaded();
    }
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
        detail = new RunDetail({
          runId: id,
          service,
          cancelRun: runId => cancelRun(service, runId),
          openRun: runId => void commands.execute(CommandIDs.openRun, { id: runId }),
          openPath: path => void commands.execute('docmanager:open', { path })
        });
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
    execute: () => chooseColumns(service, panel.model.runs)
  });

  addToPalette(palette, [CommandIDs.openRuns, CommandIDs.chooseColumns]);
}
