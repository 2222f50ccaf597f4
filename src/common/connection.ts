/**
 * The connection indicator of the panels that follow the change feed.
 */
import { StreamState } from '../api/events';

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
