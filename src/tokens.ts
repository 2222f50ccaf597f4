import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { MLExtClient } from './api/client';
import { EventStream } from './api/events';

/**
 * Id of the core plugin; its settings are `schema/plugin.json`.
 */
export const PLUGIN_ID = 'jupyter-mlext:plugin';

export namespace CommandIDs {
  export const openRuns = 'mlext:open-runs';
  export const openCompute = 'mlext:open-compute';
  export const openModels = 'mlext:open-models';
  export const refresh = 'mlext:refresh';
  export const submit = 'mlext:submit';
  export const submitFile = 'mlext:submit-file';
  export const openRun = 'mlext:open-run';
  export const cancelRun = 'mlext:cancel-run';
  export const chooseColumns = 'mlext:choose-columns';
  export const openPipelines = 'mlext:open-pipelines';
  export const runPipeline = 'mlext:run-pipeline';
  export const exportPipeline = 'mlext:export-pipeline';
}

/**
 * The user's settings (see `schema/plugin.json` for what each one means).
 */
export interface IMLExtSettings {
  defaultExperiment: string;
  pageSize: number;
  chartMaxPoints: number;
  columns: string[];
}

export const DEFAULT_SETTINGS: IMLExtSettings = {
  defaultExperiment: '',
  pageSize: 100,
  chartMaxPoints: 2000,
  columns: []
};

/**
 * What the panels share: the REST client, the one change-feed connection,
 * and the settings.
 */
export interface IMLExt {
  readonly client: MLExtClient;
  readonly events: EventStream;
  readonly settings: IMLExtSettings;
  /**
   * Resolves once the settings are loaded (or known to be the defaults).
   */
  readonly ready: Promise<void>;
  readonly settingsChanged: ISignal<IMLExt, IMLExtSettings>;
  /**
   * Store one setting in the setting registry (e.g. the columns a user chose).
   */
  saveSetting<K extends keyof IMLExtSettings>(key: K, value: IMLExtSettings[K]): Promise<void>;
}

export const IMLExt = new Token<IMLExt>(
  'jupyter-mlext:IMLExt',
  'The jupyter-mlext REST client, change feed and settings.'
);
