/**
 * How a run status looks: a glyph and a colour (theme variables, see
 * style/base.css) next to the status word, so it never relies on colour alone.
 */
import { h } from './dom';
import { StreamState } from './events';
import { formatSeconds } from './format';
import { ACTIVE_STATUSES, RunStatus } from './types';

/**
 * The glyph of each run status (shared with the pipeline graph's steps).
 */
export const STATUS_GLYPHS: { readonly [status in RunStatus]: string } = {
  Queued: '◷',
  Preparing: '◔',
  Running: '▶',
  Finalizing: '◕',
  Completed: '✓',
  Failed: '✕',
  Canceled: '⊘'
};

export function isActive(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function statusBadge(status: RunStatus, compact = false): HTMLElement {
  return h(
    'span',
    {
      class: `jp-mlext-status jp-mlext-status-${status.toLowerCase()}`,
      'data-status': status,
      title: status
    },
    h('span', { class: 'jp-mlext-status-glyph', 'aria-hidden': 'true' }, STATUS_GLYPHS[status] ?? '?'),
    compact
      ? h('span', { class: 'jp-mlext-visually-hidden' }, status)
      : h('span', { class: 'jp-mlext-status-text' }, status)
  );
}

/**
 * Bring the durations of running runs under `root` up to now: elements that
 * show one carry `data-running-since` (the start, in seconds).
 */
export function tickDurations(root: HTMLElement): void {
  const now = Date.now() / 1000;
  root.querySelectorAll<HTMLElement>('[data-running-since]').forEach(element => {
    element.textContent = formatSeconds(now - Number(element.dataset.runningSince));
  });
}

const CONNECTION_LABELS: { [key in StreamState]: string } = {
  open: 'live',
  connecting: 'connecting…',
  closed: 'offline, reconnecting'
};

/**
 * Show the change feed's state in a panel's connection indicator.
 */
export function renderConnection(element: HTMLElement, state: StreamState): void {
  element.textContent = CONNECTION_LABELS[state];
  element.dataset.state = state;
  element.title = state === 'open' ? 'Live updates are on' : 'Live updates are paused';
}
