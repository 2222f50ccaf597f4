/**
 * The one table of how every status the server sends looks: run statuses (`RunStatus`), a pipeline step's
 * `state` and a pipeline run's `state`. Each shows a glyph and a word beside its colour (the theme variables
 * of style/base.css, by `key`), so it never relies on colour alone.
 */
import { PipelineRunState, PipelineRunStep, PipelineStepState, RunStatus } from '../api/types';
import { h } from './dom';

export interface IStatusLook {
  /**
   * Names the colour: the badge's `jp-mlext-status-KEY` class, a pipeline step's `data-look`.
   */
  key: string;
  label: string;
  glyph: string;
}

interface IRunStatusLook extends IStatusLook {
  /**
   * The run has not ended yet (it can still be canceled).
   */
  active: boolean;
}

function look(key: string, label: string, glyph: string): IStatusLook {
  return { key, label, glyph };
}

const RUN_LOOKS: { readonly [status in RunStatus]: IRunStatusLook } = {
  Queued: { key: 'queued', label: 'Queued', glyph: '◷', active: true },
  Preparing: { key: 'preparing', label: 'Preparing', glyph: '◔', active: true },
  Running: { key: 'running', label: 'Running', glyph: '▶', active: true },
  Finalizing: { key: 'finalizing', label: 'Finalizing', glyph: '◕', active: true },
  Completed: { key: 'completed', label: 'Completed', glyph: '✓', active: false },
  Failed: { key: 'failed', label: 'Failed', glyph: '✕', active: false },
  Canceled: { key: 'canceled', label: 'Canceled', glyph: '⊘', active: false }
};

/**
 * Step states and pipeline run states share the run statuses' words; only the words runs have no use for get
 * a look of their own. A `Queued` step (submitted) shows its child run's status instead; a `Canceling` run
 * still runs.
 */
const STATE_LOOKS: { readonly [state in Exclude<PipelineStepState, 'Queued'> | PipelineRunState]: IStatusLook } = {
  ...RUN_LOOKS,
  Pending: look('pending', 'Waiting', '…'),
  Reused: look('reused', 'Reused', '↺'),
  NotStarted: look('notstarted', 'Not started', '⊘'),
  Canceling: RUN_LOOKS.Running
};

/**
 * Statuses of a run that has not ended yet, in the order of the run's life.
 */
export const ACTIVE_STATUSES: ReadonlyArray<RunStatus> = (Object.keys(RUN_LOOKS) as RunStatus[]).filter(
  status => RUN_LOOKS[status].active
);

export function isActive(status: RunStatus): boolean {
  return RUN_LOOKS[status]?.active ?? false;
}

/**
 * A submitted step shows its child run's status; other steps their state.
 */
export function stepLook(step: PipelineRunStep): IStatusLook {
  if (step.state === 'Queued') {
    return RUN_LOOKS[step.status ?? 'Queued'] ?? RUN_LOOKS.Queued;
  }
  return STATE_LOOKS[step.state] ?? look('pending', step.state, '?');
}

function badge(shown: IStatusLook, compact: boolean): HTMLElement {
  return h(
    'span',
    {
      class: `jp-mlext-status jp-mlext-status-${shown.key}`,
      'data-status': shown.label,
      title: shown.label
    },
    h('span', { class: 'jp-mlext-status-glyph', 'aria-hidden': 'true' }, shown.glyph),
    compact
      ? h('span', { class: 'jp-mlext-visually-hidden' }, shown.label)
      : h('span', { class: 'jp-mlext-status-text' }, shown.label)
  );
}

export function statusBadge(status: RunStatus, compact = false): HTMLElement {
  return badge(RUN_LOOKS[status] ?? look(status.toLowerCase(), status, '?'), compact);
}

/**
 * A pipeline run's state in the look of the run status it stands for.
 */
export function runStateBadge(state: PipelineRunState, compact = false): HTMLElement {
  return badge(STATE_LOOKS[state] ?? RUN_LOOKS.Failed, compact);
}
