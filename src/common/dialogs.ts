/**
 * A dialog helper shared by the panels' and commands' forms.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';

import { errorMessage } from '../api/errors';

/**
 * Show a form; resolves to its value, or null when the user gave up or the
 * form refused its input (after saying why, under `failure`).
 */
export async function ask<T>(options: Partial<Dialog.IOptions<T>>, failure: string): Promise<T | null> {
  try {
    const result = await showDialog(options);
    return result.button.accept ? result.value : null;
  } catch (reason) {
    await showErrorMessage(failure, errorMessage(reason));
    return null;
  }
}
