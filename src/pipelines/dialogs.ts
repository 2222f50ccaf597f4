/**
 * "Run pipeline…": a dialog asking for a published pipeline's version and
 * params, then the trigger; and the confirmation of "Cancel" on a running
 * run. A refusal of the server is shown to the user.
 */
import { Dialog, Notification, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { PipelineParams, PipelineParamValue, PublishedPipeline, TriggerPipeline } from '../api/types';
import { ask } from '../common/dialogs';
import { h, replaceChildren } from '../common/dom';
import { PipelinesModel } from './model';

let forms = 0;

/**
 * The dialog's body: a version (the latest first) and one field per param of
 * that version, filled with its default. Booleans are checkboxes; numbers
 * must parse as numbers; an empty field of a param whose default is null
 * sends null.
 */
export class TriggerPipelineForm extends Widget {
  constructor(versions: ReadonlyArray<PublishedPipeline>) {
    super();
    this.addClass('jp-mlext-submit-form');
    this.addClass('jp-mlext-trigger-form');
    this._id = `jp-mlext-trigger-${++forms}`;
    this._versions = [...versions].sort((a, b) => b.version - a.version);
    this._version = h(
      'select',
      { name: 'version', id: `${this._id}-version` },
      ...this._versions.map((published, index) =>
        h('option', { value: String(published.version) }, `v${published.version}${index === 0 ? ' (latest)' : ''}`)
      )
    );
    this._version.addEventListener('change', () => this._renderParams());
    this._params = h('fieldset', { class: 'jp-mlext-trigger-params' });
    this.node.append(
      h('div', { class: 'jp-mlext-form-row' }, h('label', { for: this._version.id }, 'Version'), this._version),
      this._params
    );
    this._renderParams();
  }

  /**
   * The request to send; throws an Error naming the param that is wrong.
   */
  getValue(): TriggerPipeline {
    const params: PipelineParams = {};
    for (const [name, field] of this._fields) {
      params[name] = field.read();
    }
    return { params: triggerParams(params), version: Number(this._version.value) };
  }

  private _renderParams(): void {
    const chosen = this._versions.find(published => String(published.version) === this._version.value);
    const defaults = chosen?.definition.params ?? {};
    this._fields = new Map(Object.keys(defaults).map(name => [name, paramField(this._id, name, defaults[name])]));
    replaceChildren(
      this._params,
      h('legend', {}, 'Params'),
      ...(this._fields.size
        ? [...this._fields.values()].map(field => field.row)
        : [h('p', { class: 'jp-mlext-muted' }, 'This version has no params.')])
    );
  }

  private _id: string;
  private _versions: PublishedPipeline[];
  private _version: HTMLSelectElement;
  private _params: HTMLElement;
  private _fields = new Map<string, IParamField>();
}

/**
 * The params as read, booleans and null included, although the trigger's handler
 * (jupyter_mlext/server/handlers_pipelines.py, through `Body.scalars`) and so api/openapi.yaml take only strings
 * and numbers there, while the pipeline itself (jupyter_mlext/pipelines/definition.py) accepts all four.
 */
function triggerParams(params: PipelineParams): TriggerPipeline['params'] {
  return params as TriggerPipeline['params'];
}

interface IParamField {
  row: HTMLElement;
  read: () => PipelineParamValue;
}

function paramField(formId: string, name: string, value: PipelineParamValue): IParamField {
  const id = `${formId}-param-${name}`;
  if (typeof value === 'boolean') {
    const input = h('input', { type: 'checkbox', id, name: `param-${name}`, checked: value });
    return {
      row: h('div', { class: 'jp-mlext-form-row' }, h('label', { for: id }, name), h('span', {}, input)),
      read: () => input.checked
    };
  }
  const kind = typeof value === 'number' ? 'number' : value === null ? 'optional' : 'text';
  const input = h('input', {
    type: 'text',
    id,
    name: `param-${name}`,
    value: value === null ? '' : String(value),
    inputmode: kind === 'number' ? 'decimal' : null,
    placeholder: kind === 'optional' ? 'empty for null' : null,
    spellcheck: 'false'
  });
  return {
    row: h('div', { class: 'jp-mlext-form-row' }, h('label', { for: id }, name), input),
    read: () => {
      const text = input.value.trim();
      if (kind === 'number') {
        const number = Number(text);
        if (text === '' || !Number.isFinite(number)) {
          throw new Error(`Param ${name}: give a number (the default is ${value}).`);
        }
        return number;
      }
      if (kind === 'optional' && text === '') {
        return null;
      }
      return input.value;
    }
  };
}

/**
 * Confirm, then cancel the selected run; the panel follows its steps to
 * Canceled through the change feed.
 */
export async function cancelPipelineRunDialog(model: PipelinesModel): Promise<void> {
  const run = model.run;
  if (run === null) {
    return;
  }
  const result = await showDialog({
    title: 'Cancel pipeline run',
    body:
      `Cancel run ${run.run_id.slice(0, 8)} of ${run.pipeline}? Its running steps are stopped and no further ` +
      'step starts; running it again reuses the steps that completed.',
    buttons: [Dialog.cancelButton({ label: 'Keep running' }), Dialog.warnButton({ label: 'Cancel run' })]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    await model.cancelRun(run.run_id);
  } catch (reason) {
    await showErrorMessage('Canceling the pipeline run failed', errorMessage(reason));
  }
}

/**
 * Ask for the version and params of the selected pipeline, then run it; the
 * new run becomes the selected one. Resolves to its id, or null when the user
 * gave up or the server refused (after saying why).
 */
export async function triggerPipelineDialog(model: PipelinesModel): Promise<string | null> {
  const description = model.description;
  if (description === null || description.versions.length === 0) {
    await showErrorMessage('Cannot run the pipeline', 'Select a published pipeline first.');
    return null;
  }
  const request: TriggerPipeline | null = await ask(
    {
      title: `Run pipeline ${description.name}`,
      body: new TriggerPipelineForm(description.versions),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })],
      focusNodeSelector: 'input, select'
    },
    'Cannot run the pipeline'
  );
  if (request === null) {
    return null;
  }
  try {
    const run = await model.trigger(request);
    Notification.success(`Started pipeline ${run.pipeline} v${run.version ?? '?'}`, { autoClose: 4000 });
    return run.run_id;
  } catch (reason) {
    await showErrorMessage('Running the pipeline failed', errorMessage(reason));
    return null;
  }
}
