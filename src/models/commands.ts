/**
 * The Models command: open the panel (which reloads the registry on every showing).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { addToPalette } from '../common/palette';
import { CommandIDs } from '../tokens';
import { ModelsPanel } from './panel';

export function addModelsCommands(app: JupyterFrontEnd, panel: ModelsPanel, palette: ICommandPalette | null): void {
  app.commands.addCommand(CommandIDs.openModels, {
    label: 'Open the Models Panel',
    caption: 'Registered models, their versions, aliases, lineage and history',
    execute: () => {
      app.shell.activateById(panel.id);
      return panel.refresh();
    }
  });
  addToPalette(palette, [CommandIDs.openModels]);
}
