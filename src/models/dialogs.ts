/**
 * The Models panel's dialogs: point an alias at a version, edit a version's
 * tags, remove an alias. Each sends its change and shows a refusal of the
 * server to the user.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { ModelVersion, TagsUpdate } from '../api/types';
import { ask } from '../common/dialogs';
import { h } from '../common/dom';
import { ModelsModel } from './model';

let forms = 0;

const DEFAULT_ALIAS = 'production';

/**
 * Alias name (with the model's aliases offered) and the version it points at.
 */
export class AliasForm extends Widget {
  constructor(versions: ReadonlyArray<ModelVersion>, version: number) {
    super();
    this.addClass('jp-mlext-submit-form');
    const id = `jp-mlext-alias-${++forms}`;
    const known = [...new Set(versions.flatMap(v => v.aliases))].sort();
    this._alias = h('input', {
      type: 'text',
      name: 'alias',
      id: `${id}-alias`,
      value: DEFAULT_ALIAS,
      list: `${id}-aliases`,
      required: true,
      spellcheck: 'false'
    });
    this._version = h(
      'select',
      { name: 'version', id: `${id}-version` },
      ...versions.map(v => h('option', { value: v.version, selected: v.version === version }, `v${v.version}`))
    );
    this.node.append(
      h('div', { class: 'jp-mlext-form-row' }, h('label', { for: this._alias.id }, 'Alias'), this._alias),
      h('datalist', { id: `${id}-aliases` }, ...known.map(alias => h('option', { value: alias }))),
      h('div', { class: 'jp-mlext-form-row' }, h('label', { for: this._version.id }, 'Version'), this._version),
      h('p', { class: 'jp-mlext-muted' }, 'An alias that points elsewhere moves; the move is kept in the history.')
    );
  }

  getValue(): { alias: string; version: number } {
    const alias = this._alias.value.trim();
    if (!alias) {
      throw new Error('Alias: give a name, such as production.');
    }
    return { alias, version: Number(this._version.value) };
  }

  private _alias: HTMLInputElement;
  private _version: HTMLSelectElement;
}

/**
 * A version's tags as `key=value` lines; what changed is sent.
 */
export class TagsForm extends Widget {
  constructor(version: ModelVersion) {
    super();
    this.addClass('jp-mlext-submit-form');
    this._current = version.tags;
    const id = `jp-mlext-tags-${++forms}`;
    this._text = h('textarea', {
      name: 'tags',
      id,
      rows: 6,
      spellcheck: 'false',
      class: 'jp-mlext-tags-text'
    });
    this._text.value = Object.keys(version.tags)
      .sort()
      .map(key => `${key}=${version.tags[key]}`)
      .join('\n');
    this.node.append(
      h('label', { for: id }, `Tags of ${version.name}:${version.version}, one key=value a line`),
      this._text
    );
  }

  getValue(): TagsUpdate {
    const wanted: { [key: string]: string } = {};
    this._text.value.split('\n').forEach((line, index) => {
      if (!line.trim()) {
        return;
      }
      const at = line.indexOf('=');
      if (at <= 0) {
        throw new Error(`Tags: line ${index + 1} is not key=value.`);
      }
      wanted[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    });
    const set: { [key: string]: string } = {};
    for (const key of Object.keys(wanted)) {
      if (this._current[key] !== wanted[key]) {
        set[key] = wanted[key];
      }
    }
    const remove = Object.keys(this._current).filter(key => !(key in wanted));
    return { set, delete: remove };
  }

  private _current: { [key: string]: string };
  private _text: HTMLTextAreaElement;
}

export async function setAliasDialog(model: ModelsModel, version: number): Promise<void> {
  const failure = 'Setting the alias failed';
  const value = await ask(
    {
      title: `Set an alias on ${model.selectedModel}`,
      body: new AliasForm(model.versions, version),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Set alias' })],
      focusNodeSelector: 'input[name="alias"]'
    },
    failure
  );
  if (value === null) {
    return;
  }
  try {
    await model.setAlias(value.alias, value.version);
  } catch (reason) {
    await showErrorMessage(failure, errorMessage(reason));
  }
}

export async function editTagsDialog(model: ModelsModel, version: ModelVersion): Promise<void> {
  const failure = 'Saving the tags failed';
  const value = await ask(
    {
      title: 'Edit tags',
      body: new TagsForm(version),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Save' })],
      focusNodeSelector: 'textarea'
    },
    failure
  );
  if (value === null) {
    return;
  }
  try {
    await model.updateTags(version.version, value);
  } catch (reason) {
    await showErrorMessage(failure, errorMessage(reason));
  }
}

export async function removeAliasDialog(model: ModelsModel, alias: string): Promise<void> {
  const result = await showDialog({
    title: 'Remove alias',
    body: `Remove alias ${alias} from ${model.selectedModel}? The removal is kept in the history.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Remove' })]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    await model.deleteAlias(alias);
  } catch (reason) {
    await showErrorMessage('Removing the alias failed', errorMessage(reason));
  }
}
