/**
 * The Pipelines commands: open the panel, run the selected pipeline.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { addToPalette } from '../common/palette';
import { CommandIDs } from '../tokens';
import { PipelinesPanel } from './panel';

export function addPipelinesCommands(
  app: JupyterFrontEnd,
  panel: PipelinesPanel,
  palette: ICommandPalette | null
): void {
  const commands = app.commands;

  commands.addCommand(CommandIDs.openPipelines, {
    label: 'Open the Pipelines Panel',
    caption: 'Published pipelines, their runs and each run as a graph of steps',
    execute: () => {
      app.shell.activateById(panel.id);
      return panel.refresh();
    }
  });

  commands.addCommand(CommandIDs.runPipeline, {
    label: 'Run Pipeline…',
    caption: 'Run the pipeline selected in the Pipelines panel with params you choose',
    execute: async () => {
      app.shell.activateById(panel.id);
      if (panel.model.description === null) {
        await panel.refresh();
      }
      return panel.runPipeline();
    }
  });

  addToPalette(palette, [CommandIDs.openPipelines, CommandIDs.runPipeline]);
}
