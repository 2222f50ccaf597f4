import { Widget } from '@lumino/widgets';

import { h } from './dom';

/**
 * The body of the "Runs table columns" dialog: a checkbox per metric, param
 * and tag field; none checked means "the first ones found on the page".
 */
export class ColumnsForm extends Widget {
  constructor(available: string[], chosen: string[]) {
    super();
    this.addClass('jp-mlext-columns-form');
    const fields = [...new Set([...chosen, ...available])];
    if (fields.length === 0) {
      this.node.append(h('p', {}, 'The runs on this page have no metrics, params or tags yet.'));
    }
    this._boxes = fields.map(field =>
      h('input', { type: 'checkbox', value: field, checked: chosen.includes(field) })
    );
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
