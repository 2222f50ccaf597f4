/**
 * What the model specs share: a service whose client is the mocked src/api/client.ts (each spec calls
 * `jest.mock('../api/client')`) and whose change feed the test drives by hand, plus builders of API shapes.
 */
import { ServerConnection } from '@jupyterlab/services';
import { PromiseDelegate } from '@lumino/coreutils';
import { Signal } from '@lumino/signaling';

import { MLExtClient } from '../api/client';
import { EventStream, StreamState } from '../api/events';
import { ChangeEvent, MetricsEventSeries, RunInfo, RunStatus } from '../api/types';
import { DEFAULT_SETTINGS, IMLExt, IMLExtSettings } from '../tokens';

/**
 * The change feed as the models see it: `emit` and `resume` stand for the server.
 */
export class FakeEvents {
  readonly received = new Signal<this, ChangeEvent>(this);
  readonly resumed = new Signal<this, void>(this);
  readonly stateChanged = new Signal<this, StreamState>(this);
  readonly state: StreamState = 'open';
  private _seq = 0;

  emit(event: DistributiveOmit<ChangeEvent, 'type' | 'seq' | 'at'>): void {
    this._seq += 1;
    this.received.emit({ type: 'event', seq: this._seq, at: 1000 + this._seq, ...event } as ChangeEvent);
  }

  resume(): void {
    this.resumed.emit();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface IFakeService extends IMLExt {
  readonly client: jest.Mocked<MLExtClient>;
  readonly fakeEvents: FakeEvents;
  /**
   * Say the settings are loaded (with `settings` over the defaults).
   */
  load(settings?: Partial<IMLExtSettings>): void;
}

export function fakeService(): IFakeService {
  const client = new MLExtClient(ServerConnection.makeSettings()) as jest.Mocked<MLExtClient>;
  const fakeEvents = new FakeEvents();
  const ready = new PromiseDelegate<void>();
  const settingsChanged = new Signal<IMLExt, IMLExtSettings>({} as IMLExt);
  const service: IFakeService = {
    client,
    fakeEvents,
    events: fakeEvents as unknown as EventStream,
    settings: { ...DEFAULT_SETTINGS },
    ready: ready.promise,
    settingsChanged,
    saveSetting: jest.fn(),
    load(settings: Partial<IMLExtSettings> = {}) {
      (service as { settings: IMLExtSettings }).settings = { ...DEFAULT_SETTINGS, ...settings };
      ready.resolve();
      settingsChanged.emit(service.settings);
    }
  };
  return service;
}

/**
 * A run as the server describes it, with `fields` over plain defaults.
 */
export function makeRun(id: string, fields: Partial<RunInfo> = {}): RunInfo {
  return {
    id,
    experiment_id: 1,
    experiment: 'exp',
    parent_id: null,
    name: `run-${id}`,
    status: 'Completed' as RunStatus,
    created_at: 100,
    started_at: 101,
    ended_at: 110,
    user: 'ann',
    source_type: null,
    source_name: null,
    compute: null,
    git_commit: null,
    snapshot_id: null,
    error: null,
    params: {},
    tags: {},
    metrics: {},
    ...fields
  };
}

/**
 * The points of one series in a metrics event.
 */
export function series(steps: number[], values: MetricsEventSeries['values']): MetricsEventSeries {
  return { count: steps.length, truncated: false, steps, timestamps: steps.map(step => 1000 + step), values };
}

/**
 * Let pending promise callbacks run.
 */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await Promise.resolve();
  }
}
