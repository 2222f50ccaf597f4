import { MLExtClient } from '../api/client';
import { errorMessage, MLExtAPIError } from '../api/errors';
import { h } from '../common/dom';

const TAIL_BYTES = 64 * 1024;
const CHUNK_BYTES = 256 * 1024;
const KEPT_CHARS = 200 * 1000;
const POLL_MS = 1000;

/**
 * The end of a run's log, following it while the run is going: it reads the
 * last 64 KiB, then whatever was appended, once a second, until the server
 * says the log is complete (the run has ended and all was read). At most the
 * last 200,000 characters stay on screen.
 */
export class LogTail {
  constructor(client: MLExtClient) {
    this._client = client;
    this.node = h('div', { class: 'jp-mlext-log' });
    this._pre = h('pre', {
      class: 'jp-mlext-log-text',
      tabindex: '0',
      'aria-label': 'Run log',
      'aria-live': 'off'
    });
    this._status = h('div', { class: 'jp-mlext-muted', role: 'status' });
    this.node.append(this._pre, this._status);
  }

  readonly node: HTMLElement;

  /**
   * Follow the log of `runId` from its tail (again from scratch if called
   * for another run).
   */
  follow(runId: string): void {
    this.stop();
    this._runId = runId;
    this._pre.textContent = '';
    this._offset = -TAIL_BYTES;
    this._complete = false;
    void this._poll(++this._generation);
  }

  /**
   * Read again now (e.g. the run's status changed) unless the log is complete.
   */
  poke(): void {
    if (this._runId !== null && !this._complete && !this._reading) {
      window.clearTimeout(this._timer);
      void this._poll(this._generation);
    }
  }

  stop(): void {
    window.clearTimeout(this._timer);
    this._generation++;
  }

  private async _poll(generation: number): Promise<void> {
    if (this._runId === null) {
      return;
    }
    this._reading = true;
    let again = POLL_MS;
    try {
      const chunk = await this._client.logs(this._runId, this._offset, CHUNK_BYTES);
      if (generation !== this._generation) {
        return;
      }
      this._show(chunk.text);
      this._offset = chunk.next_offset;
      this._complete = chunk.complete;
      const empty = !this._pre.textContent;
      const done = empty ? 'This run wrote no log.' : 'End of log.';
      this._status.textContent = chunk.complete ? done : 'Following the log…';
      if (chunk.next_offset < chunk.size) {
        again = 0;
      }
    } catch (reason) {
      if (generation !== this._generation) {
        return;
      }
      const missing = reason instanceof MLExtAPIError && reason.status === 404;
      this._status.textContent = missing ? 'This run has no log.' : `Reading the log failed: ${errorMessage(reason)}`;
      this._status.classList.toggle('jp-mlext-error', !missing);
      this._complete = missing;
    } finally {
      this._reading = false;
    }
    if (!this._complete && generation === this._generation) {
      this._timer = window.setTimeout(() => void this._poll(generation), again);
    }
  }

  private _show(text: string): void {
    if (!text) {
      return;
    }
    const pre = this._pre;
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 8;
    let content = (pre.textContent ?? '') + text;
    if (content.length > KEPT_CHARS) {
      content = content.slice(content.length - KEPT_CHARS);
    }
    pre.textContent = content;
    if (atBottom) {
      pre.scrollTop = pre.scrollHeight;
    }
  }

  private _client: MLExtClient;
  private _pre: HTMLElement;
  private _status: HTMLElement;
  private _runId: string | null = null;
  private _offset = 0;
  private _complete = false;
  private _reading = false;
  private _generation = 0;
  private _timer = 0;
}
