/**
 * The live indicator of the panels: the change feed's state as a dot and a word, with an accessible label.
 * Every sidebar panel shows one, so a user knows whether what they see follows the workspace.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal } from '@lumino/signaling';

import { StreamState } from '../api/events';
import { h } from './dom';

const CONNECTION_LABELS: { [key in StreamState]: string } = {
  open: 'live',
  connecting: 'connecting…',
  closed: 'offline'
};

const CONNECTION_DESCRIPTIONS: { [key in StreamState]: string } = {
  open: 'Live updates are on',
  connecting: 'Live updates: connecting to the server',
  closed: 'Live updates are paused: reconnecting to the server'
};

/**
 * What the indicator follows: the service's event stream.
 */
export interface IStreamStatus {
  readonly state: StreamState;
  readonly stateChanged: ISignal<unknown, StreamState>;
}

/**
 * Show the change feed's state in a connection indicator.
 */
export function renderConnection(element: HTMLElement, state: StreamState): void {
  element.textContent = CONNECTION_LABELS[state];
  element.dataset.state = state;
  element.title = CONNECTION_DESCRIPTIONS[state];
  element.setAttribute('aria-label', CONNECTION_DESCRIPTIONS[state]);
}

/**
 * A panel's live indicator, kept current until disposed.
 */
export class LiveIndicator implements IDisposable {
  constructor(stream: IStreamStatus) {
    this._stream = stream;
    this.node = h('span', { class: 'jp-mlext-connection', role: 'status' });
    stream.stateChanged.connect(this._onState, this);
    this._onState(stream, stream.state);
  }

  readonly node: HTMLElement;

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this._stream.stateChanged.disconnect(this._onState, this);
    }
  }

  private _onState(_: unknown, state: StreamState): void {
    renderConnection(this.node, state);
  }

  private _stream: IStreamStatus;
  private _disposed = false;
}
