/**
 * The "Runs table columns" dialog: a checkbox per metric, param and tag field; none checked means "the first
 * ones found on the page". The choice is kept in the settings.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { RunInfo } from '../api/types';
import { h } from '../common/dom';
import { IMLExt } from '../tokens';
import { availableFields } from './columns';

export class ColumnsForm extends Widget {
  constructor(available: string[], chosen: string[]) {
    super();
    this.addClass('jp-mlext-columns-form');
    const fields = [...new Set([...chosen, ...available])];
    if (fields.length === 0) {
      this.node.append(h('p', {}, 'The runs on this page have no metrics, params or tags yet.'));
    }
    this._boxes = fields.map(field => h('input', { type: 'checkbox', value: field, checked: chosen.includes(field) }));
    this.node.append(
      h('p', { class: 'jp-mlext-muted' }, 'Leave all unchecked to show the first metrics and params of each page.'),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Columns'),
        ...this._boxes.map(box => h('label', { class: 'jp-mlext-form-check' }, box, ` ${box.value}`))
      )
    );
  }

  getValue(): string[] {
    return this._boxes.filter(box => box.checked).map(box => box.value);
  }

  private _boxes: HTMLInputElement[];
}

/**
 * Ask which columns to show, offering the fields of `runs` (the page shown), and save the choice.
 */
export async function chooseColumns(service: IMLExt, runs: ReadonlyArray<RunInfo>): Promise<void> {
  const form = new ColumnsForm(availableFields(runs), service.settings.columns);
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
