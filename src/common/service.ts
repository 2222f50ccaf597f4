import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { MLExtClient } from '../api/client';
import { EventStream } from '../api/events';
import { DEFAULT_SETTINGS, IMLExt, IMLExtSettings } from '../tokens';

/**
 * The shared service behind the `IMLExt` token. Settings start at their
 * defaults and follow the setting registry once it has loaded them.
 */
export class MLExtService implements IMLExt {
  constructor(client: MLExtClient) {
    this.client = client;
    this.events = new EventStream(client);
  }

  readonly client: MLExtClient;
  readonly events: EventStream;

  get settings(): IMLExtSettings {
    return this._settings;
  }

  get ready(): Promise<void> {
    return this._ready.promise;
  }

  /**
   * Say that the settings will stay the defaults (no registry, or it failed).
   */
  useDefaults(): void {
    this._ready.resolve();
  }

  get settingsChanged(): ISignal<IMLExt, IMLExtSettings> {
    return this._settingsChanged;
  }

  /**
   * Follow the plugin's settings in the registry from now on.
   */
  useSettings(settings: ISettingRegistry.ISettings): void {
    this._registrySettings = settings;
    const update = (): void => {
      const composite = settings.composite as unknown as Partial<IMLExtSettings>;
      this._settings = { ...DEFAULT_SETTINGS, ...composite };
      this._settingsChanged.emit(this._settings);
    };
    settings.changed.connect(update);
    update();
    this._ready.resolve();
  }

  async saveSetting<K extends keyof IMLExtSettings>(key: K, value: IMLExtSettings[K]): Promise<void> {
    if (this._registrySettings) {
      await this._registrySettings.set(key, value);
    } else {
      this._settings = { ...this._settings, [key]: value };
      this._settingsChanged.emit(this._settings);
    }
  }

  private _settings: IMLExtSettings = { ...DEFAULT_SETTINGS };
  private _ready = new PromiseDelegate<void>();
  private _registrySettings: ISettingRegistry.ISettings | null = null;
  private _settingsChanged = new Signal<IMLExt, IMLExtSettings>(this);
}
