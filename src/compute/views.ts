/**
 * The parts of the Compute panel that only show data: the compute targets and the queue of runs not ended
 * yet. Actions come in as callbacks.
 */
import { ComputeTarget, RunInfo } from '../api/types';
import { h } from '../common/dom';
import { columnHeader } from '../common/fit';
import { formatTime, userLabel } from '../common/format';
import { statusBadge } from '../common/status';
import { clipped } from '../common/truncate';

export interface IQueueActions {
  openRun: (id: string) => void;
  cancelRun: (id: string) => Promise<void>;
}

/**
 * The runs not ended yet, with a Cancel button for submitted ones (a notebook's run has no job to cancel).
 */
export function queueTable(runs: ReadonlyArray<RunInfo>, actions: IQueueActions): HTMLElement {
  if (runs.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'No queued or running runs.');
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-queue', 'aria-label': 'Queued and running runs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columnHeader('Status', 0),
        columnHeader('Run', 0),
        columnHeader('Target', 2),
        columnHeader('Since', 3),
        h(
          'th',
          { scope: 'col', 'data-priority': 0, 'data-label': 'Actions' },
          h('span', { class: 'jp-mlext-visually-hidden' }, 'Actions')
        )
      )
    ),
    h(
      'tbody',
      {},
      ...runs.map(run =>
        h(
          'tr',
          { 'data-run-id': run.id, 'data-status': run.status },
          h('td', {}, statusBadge(run.status, true)),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'jp-mlext-link jp-mlext-clip',
                title: `${run.name}: ${run.experiment} / ${run.id}, by ${userLabel(run.user)}`,
                'data-focus-key': `open:${run.id}`,
                onclick: () => actions.openRun(run.id)
              },
              run.name
            )
          ),
          h('td', {}, clipped(run.compute ?? 'notebook')),
          h('td', {}, formatTime(run.started_at ?? run.created_at)),
          h(
            'td',
            {},
            run.compute
              ? h(
                  'button',
                  {
                    class: 'jp-mlext-button jp-mlext-danger',
                    'aria-label': `Cancel run ${run.name}`,
                    onclick: () => void actions.cancelRun(run.id)
                  },
                  'Cancel'
                )
              : null
          )
        )
      )
    )
  );
}

/**
 * The compute targets: kind, address, slots, and how many runs are busy and queued on each.
 */
export function targetsTable(targets: ReadonlyArray<ComputeTarget>): HTMLElement {
  if (targets.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'No compute targets.');
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-targets', 'aria-label': 'Compute targets' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columnHeader('Name', 0),
        columnHeader('Kind', 2),
        columnHeader('Address', 3),
        columnHeader('Slots', 2, 'jp-mlext-number'),
        columnHeader('Busy', 1, 'jp-mlext-number'),
        columnHeader('Queued', 1, 'jp-mlext-number')
      )
    ),
    h(
      'tbody',
      {},
      ...targets.map(target =>
        h(
          'tr',
          { 'data-target': target.name },
          h('th', { scope: 'row' }, clipped(target.name)),
          h('td', {}, target.kind),
          h('td', {}, clipped(target.address ?? '—')),
          h('td', { class: 'jp-mlext-number' }, String(target.concurrency)),
          h('td', { class: 'jp-mlext-number', 'data-busy': target.busy }, String(target.busy)),
          h('td', { class: 'jp-mlext-number', 'data-queued': target.queued }, String(target.queued))
        )
      )
    )
  );
}
