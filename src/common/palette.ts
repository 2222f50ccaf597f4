/**
 * The command palette's category of the jupyter-mlext commands.
 */
import { ICommandPalette } from '@jupyterlab/apputils';

const PALETTE_CATEGORY = 'ML Runs';

/**
 * Put `commands` in the palette, if there is one.
 */
export function addToPalette(palette: ICommandPalette | null, commands: string[]): void {
  for (const command of commands) {
    palette?.addItem({ command, category: PALETTE_CATEGORY });
  }
}
