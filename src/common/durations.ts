/**
 * Durations that keep counting while a run goes on.
 */
import { formatSeconds } from './format';

/**
 * Bring the durations of running runs under `root` up to now: elements that show one carry
 * `data-running-since` (the start, in seconds).
 */
export function tickDurations(root: HTMLElement): void {
  const now = Date.now() / 1000;
  root.querySelectorAll<HTMLElement>('[data-running-since]').forEach(element => {
    element.textContent = formatSeconds(now - Number(element.dataset.runningSince));
  });
}
