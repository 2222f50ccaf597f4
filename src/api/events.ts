/**
 * The workspace's change feed over the events WebSocket (`/mlext/api/events`), kept open.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { MLExtClient } from './client';
import { ChangeEvent, EventsMessage } from './types';

/**
 * Connection state of the change feed, for a status hint in the panels.
 */
export type StreamState = 'connecting' | 'open' | 'closed';

const FIRST_RETRY_MS = 500;
const LONGEST_RETRY_MS = 10000;

/**
 * When the socket drops, it reconnects with growing delays and asks for the events after the last one it saw
 * (`?cursor=`), so a listener misses nothing; `resumed` fires when a reconnection is ready, for listeners that
 * prefer to reload.
 */
export class EventStream implements IDisposable {
  constructor(client: MLExtClient) {
    this._client = client;
  }

  get received(): ISignal<this, ChangeEvent> {
    return this._received;
  }

  get resumed(): ISignal<this, void> {
    return this._resumed;
  }

  get stateChanged(): ISignal<this, StreamState> {
    return this._stateChanged;
  }

  get state(): StreamState {
    return this._state;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Open the socket (once; later calls do nothing while it is open).
   */
  connect(): void {
    if (this._disposed || this._socket !== null) {
      return;
    }
    this._setState('connecting');
    const WebSocketType = this._client.serverSettings.WebSocket;
    const socket = new WebSocketType(this._client.eventsUrl(this._cursor));
    this._socket = socket;
    socket.onmessage = message => this._onMessage(message.data);
    socket.onclose = () => this._onClose(socket);
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    window.clearTimeout(this._retryTimer);
    const socket = this._socket;
    this._socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close();
    }
    Signal.clearData(this);
  }

  private _onMessage(data: unknown): void {
    if (typeof data !== 'string') {
      return;
    }
    let message: EventsMessage;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn('jupyter-mlext: unreadable event', data);
      return;
    }
    if (message.type === 'ready') {
      const resuming = this._cursor !== null && this._everOpen;
      this._cursor = message.cursor;
      this._everOpen = true;
      this._retryMs = FIRST_RETRY_MS;
      this._setState('open');
      if (resuming) {
        this._resumed.emit();
      }
    } else if (message.type === 'event') {
      this._cursor = message.seq;
      this._received.emit(message);
    }
  }

  private _onClose(socket: WebSocket): void {
    if (this._socket !== socket) {
      return;
    }
    this._socket = null;
    this._setState('closed');
    if (this._disposed) {
      return;
    }
    this._retryTimer = window.setTimeout(() => this.connect(), this._retryMs);
    this._retryMs = Math.min(this._retryMs * 2, LONGEST_RETRY_MS);
  }

  private _setState(state: StreamState): void {
    if (state !== this._state) {
      this._state = state;
      this._stateChanged.emit(state);
    }
  }

  private _client: MLExtClient;
  private _socket: WebSocket | null = null;
  private _cursor: number | null = null;
  private _everOpen = false;
  private _retryMs = FIRST_RETRY_MS;
  private _retryTimer = 0;
  private _disposed = false;
  private _state: StreamState = 'closed';
  private _received = new Signal<this, ChangeEvent>(this);
  private _resumed = new Signal<this, void>(this);
  private _stateChanged = new Signal<this, StreamState>(this);
}
