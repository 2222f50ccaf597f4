import { ChangeEvent, ModelLineage, ModelVersion, RegisteredModel, RegistryChange, TagsUpdate } from '../api/types';
import { PanelModel } from '../common/panelModel';
import { IMLExt } from '../tokens';

/**
 * The Models panel's state: the models matching the search, the versions and
 * history of the selected model, and the lineage of the selected version.
 *
 * Once loaded, it follows the change feed: every registry change is a `model`
 * event (`{name, version, action, key}`), wherever it was made (a notebook,
 * the CLI, another browser). A change to the selected model reloads its
 * versions, history and lineage; any change reloads the list of models (whose
 * version counts and aliases it shows). Reloads are spaced, so a burst of
 * changes costs one; a reconnection reloads everything.
 */
export class ModelsModel extends PanelModel {
  constructor(service: IMLExt) {
    super(service, 'Loading the model registry failed');
    this._service = service;
    service.events.received.connect(this._onEvent, this);
  }

  get models(): ReadonlyArray<RegisteredModel> {
    return this._models;
  }

  get search(): string {
    return this._search;
  }

  get selectedModel(): string | null {
    return this._selectedModel;
  }

  get versions(): ReadonlyArray<ModelVersion> {
    return this._versions;
  }

  get history(): ReadonlyArray<RegistryChange> {
    return this._history;
  }

  get selectedVersion(): ModelVersion | null {
    return this._versions.find(version => version.version === this._selectedVersion) ?? null;
  }

  get lineage(): ModelLineage | null {
    return this._lineage;
  }

  /**
   * Reload the models, then the selected model's versions, history and
   * lineage (the first model and its newest version when none is selected).
   * From now on the model follows the change feed.
   */
  async refresh(): Promise<void> {
    this.startFollowing();
    await this.load(async () => {
      this._models = await this._matching(this._search);
      const names = this._models.map(model => model.name);
      const name =
        this._selectedModel !== null && names.includes(this._selectedModel) ? this._selectedModel : (names[0] ?? null);
      await this._loadModel(name);
    });
  }

  /**
   * Search by part of a model's name, or by a tag its versions carry
   * (`key=value`; several separated by spaces must all match).
   */
  setSearch(text: string): Promise<void> {
    this._search = text.trim();
    return this.refresh();
  }

  selectModel(name: string): Promise<void> {
    return this.load(() => this._loadModel(name));
  }

  selectVersion(version: number): Promise<void> {
    return this.load(async () => {
      this._selectedVersion = version;
      this._lineage = null;
      this.emitChanged();
      await this._loadLineage();
    });
  }

  /**
   * Point `alias` of the selected model at `version`. Throws (after saying
   * nothing) so that the caller can show the refusal in its dialog.
   */
  async setAlias(alias: string, version: number): Promise<void> {
    const name = this._requireModel();
    await this._service.client.setModelAlias(name, alias, version);
    await this.refresh();
  }

  async deleteAlias(alias: string): Promise<void> {
    const name = this._requireModel();
    await this._service.client.deleteModelAlias(name, alias);
    await this.refresh();
  }

  async updateTags(version: number, update: TagsUpdate): Promise<void> {
    const name = this._requireModel();
    await this._service.client.updateModelTags(name, version, update);
    await this.refresh();
  }

  private async _matching(search: string): Promise<RegisteredModel[]> {
    const client = this._service.client;
    const words = search.split(/\s+/).filter(Boolean);
    const tags = words.filter(word => word.includes('='));
    if (tags.length === 0) {
      return client.models(search || undefined);
    }
    const names = words.filter(word => !word.includes('=')).map(word => word.toLowerCase());
    const [models, versions] = await Promise.all([client.models(), client.searchModelVersions(tags)]);
    const tagged = new Set(versions.map(version => version.name));
    return models.filter(
      model => tagged.has(model.name) && names.every(part => model.name.toLowerCase().includes(part))
    );
  }

  private async _loadModel(name: string | null): Promise<void> {
    const changedModel = name !== this._selectedModel;
    this._selectedModel = name;
    if (name === null) {
      this._versions = [];
      this._history = [];
      this._selectedVersion = null;
      this._lineage = null;
      return;
    }
    const client = this._service.client;
    const [versions, history] = await Promise.all([client.modelVersions(name), client.modelHistory(name)]);
    if (this._selectedModel !== name) {
      return;
    }
    this._versions = versions;
    this._history = history;
    const numbers = versions.map(version => version.version);
    if (changedModel || this._selectedVersion === null || !numbers.includes(this._selectedVersion)) {
      this._selectedVersion = numbers[0] ?? null;
    }
    await this._loadLineage();
  }

  private async _loadLineage(): Promise<void> {
    const name = this._selectedModel;
    const version = this._selectedVersion;
    if (name === null || version === null) {
      this._lineage = null;
      return;
    }
    const lineage = await this._service.client.modelLineage(name, version);
    if (this._selectedModel === name && this._selectedVersion === version) {
      this._lineage = lineage;
    }
  }

  private _onEvent(_: unknown, event: ChangeEvent): void {
    if (!this.following || event.kind !== 'model') {
      return;
    }
    if (event.data.name === this._selectedModel) {
      this._modelTouched = true;
    }
    this._scheduleReload();
  }

  /**
   * Reload the list (a new model, a version count, an alias) and, if a change
   * touched it, the selected model; the selected version stays selected while
   * it exists.
   */
  private _scheduleReload(): void {
    this.scheduleReload(() => {
      const touched = this._modelTouched;
      this._modelTouched = false;
      const search = this._search;
      void this.load(async () => {
        const models = await this._matching(search);
        if (search !== this._search) {
          return;
        }
        this._models = models;
        const name = this._selectedModel;
        if (name === null || !models.some(model => model.name === name)) {
          await this._loadModel(models[0]?.name ?? null);
        } else if (touched) {
          await this._loadModel(name);
        }
      });
    });
  }

  private _requireModel(): string {
    if (this._selectedModel === null) {
      throw new Error('No model is selected.');
    }
    return this._selectedModel;
  }

  private _service: IMLExt;
  private _models: RegisteredModel[] = [];
  private _search = '';
  private _selectedModel: string | null = null;
  private _versions: ModelVersion[] = [];
  private _history: RegistryChange[] = [];
  private _selectedVersion: number | null = null;
  private _lineage: ModelLineage | null = null;
  private _modelTouched = false;
}
