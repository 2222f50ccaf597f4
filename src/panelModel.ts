import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from './api';

/**
 * What the sidebar panels' models share: one `changed` signal for anything a
 * view shows, the loads in flight, the last load's failure (shown to the user,
 * never swallowed) and disposal. Subclasses run their requests through
 * `load()` and announce their own changes with `emitChanged()`.
 */
export abstract class PanelModel implements IDisposable {
  /**
   * @param failure - what a failed load is called in `error`, e.g. "Loading
   * pipelines failed".
   */
  constructor(failure: string) {
    this._failure = failure;
  }

  /**
   * Anything shown changed (lists, selection, loading, error).
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get loading(): boolean {
    return this._loading > 0;
  }

  get error(): string | null {
    return this._error;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      Signal.clearData(this);
    }
  }

  /**
   * Run one load: `loading` while it runs, its failure kept in `error`.
   */
  protected async load(work: () => Promise<void>): Promise<void> {
    this._loading += 1;
    this.emitChanged();
    try {
      await work();
      this._error = null;
    } catch (reason) {
      this._error = `${this._failure}: ${errorMessage(reason)}`;
    } finally {
      this._loading -= 1;
      this.emitChanged();
    }
  }

  protected emitChanged(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  private _failure: string;
  private _loading = 0;
  private _error: string | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
