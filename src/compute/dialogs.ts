import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { splitArgs } from './format';
import { IComputeTarget, IExperiment, ISubmitRequest } from './types';

let forms = 0;

/**
 * The body of the "Submit as run" dialog: script, experiment, compute
 * target, optional run name and the script's arguments (split like a shell
 * would). The server snapshots the script's folder, which is what runs.
 */
export class SubmitForm extends Widget {
  constructor(options: SubmitForm.IOptions) {
    super();
    this.addClass('jp-mlext-submit-form');
    const id = `jp-mlext-submit-${++forms}`;
    this._script = h('input', {
      type: 'text',
      name: 'script',
      id: `${id}-script`,
      value: options.script,
      required: true,
      spellcheck: 'false'
    });
    this._experiment = h('input', {
      type: 'text',
      name: 'experiment',
      id: `${id}-experiment`,
      value: options.experiment,
      list: `${id}-experiments`,
      required: true
    });
    this._target = h(
      'select',
      { name: 'compute', id: `${id}-compute` },
      ...options.targets.map(target =>
        h(
          'option',
          { value: target.name, selected: target.name === 'local' },
          `${target.name} (${target.kind}, ${target.busy}/${target.concurrency} busy, ${target.queued} queued)`
        )
      )
    );
    this._name = h('input', { type: 'text', name: 'name', id: `${id}-name`, placeholder: 'optional' });
    this._args = h('input', {
      type: 'text',
      name: 'args',
      id: `${id}-args`,
      placeholder: '--lr 0.05 --epochs 200',
      spellcheck: 'false'
    });
    const row = (label: string, control: HTMLElement): HTMLElement =>
      h('div', { class: 'jp-mlext-form-row' }, h('label', { for: control.id }, label), control);
    this.node.append(
      row('Script', this._script),
      row('Experiment', this._experiment),
      h('datalist', { id: `${id}-experiments` }, ...options.experiments.map(e => h('option', { value: e.name }))),
      row('Compute target', this._target),
      row('Run name', this._name),
      row('Arguments', this._args)
    );
  }

  /**
   * The request to send; throws an Error naming the field that is wrong.
   */
  getValue(): ISubmitRequest {
    const script = this._script.value.trim().replace(/^\/+/, '');
    if (!script) {
      throw new Error('Script: give the path of a Python file.');
    }
    const experiment = this._experiment.value.trim();
    if (!experiment) {
      throw new Error('Experiment: give a name.');
    }
    if (!this._target.value) {
      throw new Error('Compute target: the workspace has none.');
    }
    let args: string[];
    try {
      args = splitArgs(this._args.value);
    } catch (error) {
      throw new Error(`Arguments: ${(error as Error).message}.`);
    }
    const request: ISubmitRequest = { script, args, compute: this._target.value, experiment };
    const name = this._name.value.trim();
    if (name) {
      request.name = name;
    }
    return request;
  }

  private _script: HTMLInputElement;
  private _experiment: HTMLInputElement;
  private _target: HTMLSelectElement;
  private _name: HTMLInputElement;
  private _args: HTMLInputElement;
}

export namespace SubmitForm {
  export interface IOptions {
    script: string;
    experiment: string;
    experiments: IExperiment[];
    targets: IComputeTarget[];
  }
}
