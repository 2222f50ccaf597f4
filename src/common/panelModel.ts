import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage } from '../api/errors';
import { IMLExt } from '../tokens';

/**
 * Reloads triggered by the change feed are spaced at least this far apart.
 */
const RELOAD_SPACING_MS = 300;

/**
 * What the sidebar panels' models share: one `changed` signal for anything a
 * view shows, the loads in flight, the last load's failure (shown to the user,
 * never swallowed), following the change feed once `refresh()` has run, and
 * disposal. Subclasses run their requests through `load()`, announce their own
 * changes with `emitChanged()`, and turn events into `scheduleReload()`.
 */
export abstract class PanelModel implements IDisposable {
  /**
   * @param failure - what a failed load is called in `error`, e.g. "Loading
   * pipelines failed".
   */
  constructor(service: IMLExt, failure: string) {
    this._failure = failure;
    service.events.resumed.connect(this._onResumed, this);
  }

  /**
   * Load everything the panel shows; from then on the model follows the feed.
   */
  abstract refresh(): Promise<void>;

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
      window.clearTimeout(this._timer);
      Signal.clearData(this);
    }
  }

  /**
   * Whether `refresh()` has run, so that change events concern this model.
   */
  protected get following(): boolean {
    return this._following;
  }

  protected startFollowing(): void {
    this._following = true;
  }

  /**
   * Run `reload` once however many events ask for it within the spacing.
   */
  protected scheduleReload(reload: () => void): void {
    if (this._timer) {
      return;
    }
    this._timer = window.setTimeout(() => {
      this._timer = 0;
      if (!this._disposed) {
        reload();
      }
    }, RELOAD_SPACING_MS);
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

  /**
   * Show `error` (or clear it) for a model that composes its own message.
   */
  protected setError(error: string | null): void {
    this._error = error;
    this.emitChanged();
  }

  protected emitChanged(): void {
    if (!this._disposed) {
      this._changed.emit();
    }
  }

  /**
   * The feed reconnected after missing events: everything may be stale.
   */
  private _onResumed(): void {
    if (this._following) {
      void this.refresh();
    }
  }

  private _failure: string;
  private _following = false;
  private _timer = 0;
  private _loading = 0;
  private _error: string | null = null;
  private _disposed = false;
  private _changed = new Signal<this, void>(this);
}
