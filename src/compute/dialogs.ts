/**
 * "Submit as run": a dialog asking for a script's experiment, compute target, run name and arguments, then
 * the submission. Every refusal of the server is shown to the user.
 */
import { Dialog, Notification, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { ComputeTarget, Experiment, RunInfo, SubmitRun } from '../api/types';
import { ask } from '../common/dialogs';
import { h } from '../common/dom';
import { splitArgs } from '../common/format';
import { IMLExt } from '../tokens';

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
      spellcheck: 'false',
      'aria-describedby': `${id}-script-hint`,
      placeholder: 'examples/train.py'
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
      h(
        'p',
        { id: `${id}-script-hint`, class: 'jp-mlext-hint jp-mlext-form-hint' },
        'A path relative to the Jupyter root folder (the top of the file browser), e.g. ',
        h('code', {}, 'examples/train.py'),
        ". The script's folder is copied as the run's snapshot and is its working directory."
      ),
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
  getValue(): SubmitRun {
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
      throw new Error(`Arguments: ${(error as Error).message}.`, { cause: error });
    }
    const request: SubmitRun = { script, args, compute: this._target.value, experiment };
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
    experiments: Experiment[];
    targets: ComputeTarget[];
  }
}

/**
 * Ask for experiment, target and arguments, then submit `script` (a path
 * relative to the Jupyter root). Resolves to the new run, or null when the
 * user gave up or the submission failed (after saying why).
 */
export async function submitScript(service: IMLExt, script: string): Promise<RunInfo | null> {
  const client = service.client;
  let experiments, targets;
  try {
    [experiments, targets] = await Promise.all([client.experiments(), client.computeTargets()]);
  } catch (reason) {
    await showErrorMessage('Cannot submit a run', errorMessage(reason));
    return null;
  }
  const form = new SubmitForm({
    script,
    experiment: service.settings.defaultExperiment || 'Default',
    experiments,
    targets
  });
  const request: SubmitRun | null = await ask(
    {
      title: 'Submit as run',
      body: form,
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Submit' })],
      focusNodeSelector: script ? 'input[name="args"]' : 'input[name="script"]'
    },
    'Cannot submit a run'
  );
  if (request === null) {
    return null;
  }
  try {
    const run = await client.submit(request);
    Notification.success(`Submitted ${run.name} to ${run.compute ?? request.compute}`, { autoClose: 4000 });
    return run;
  } catch (reason) {
    await showErrorMessage('Submitting the run failed', errorMessage(reason));
    return null;
  }
}
