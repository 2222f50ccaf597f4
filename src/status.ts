/**
 * How a run status looks: a glyph and a colour (theme variables, see
 * style/base.css) next to the status word, so it never relies on colour alone.
 */
import { h } from './dom';
import { formatSeconds } from './format';
import { ACTIVE_STATUSES, RunStatus } from './types';

const GLYPHS: { [status in RunStatus]: string } = {
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
    h('span', { class: 'jp-mlext-status-glyph', 'aria-hidden': 'true' }, GLYPHS[status] ?? '?'),
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
