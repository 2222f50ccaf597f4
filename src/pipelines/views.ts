/**
 * The parts of the Pipelines panel that only show data: the selected
 * pipeline's summary (versions, params, schedule) and its runs table.
 * Actions come in as callbacks.
 */
import { DescribePipeline, PipelineParams, PipelineRunSummary } from '../api/types';
import { h } from '../common/dom';
import { columnHeader } from '../common/fit';
import { formatSeconds, formatTime, userLabel } from '../common/format';
import { runStateBadge } from '../common/status';
import { clipped } from '../common/truncate';

/**
 * Params as `key=value` pairs, each value in JSON.
 */
export function formatParams(params: PipelineParams): string {
  return Object.keys(params)
    .map(key => `${key}=${JSON.stringify(params[key])}`)
    .join(' ');
}

/**
 * Versions, the latest version's params and the schedule, as a definition
 * list.
 */
export function pipelineSummary(description: DescribePipeline): HTMLElement {
  const latest = description.versions[description.versions.length - 1];
  const schedule = description.schedule;
  const entries: [string, string][] = [
    [
      'Versions',
      `${description.versions.length} (latest v${latest?.version ?? '?'}` +
        (latest ? `, ${formatTime(latest.created_at)} by ${userLabel(latest.user)})` : ')')
    ],
    ['Steps', latest ? latest.definition.steps.map(step => step.name).join(', ') : ''],
    ['Params', latest ? formatParams(latest.definition.params) || 'none' : '']
  ];
  if (schedule) {
    const next = schedule.next_fire === undefined ? '' : `, next ${formatTime(schedule.next_fire)}`;
    entries.push([
      'Schedule',
      `${schedule.cron} ${schedule.enabled ? `(enabled${next})` : '(disabled)'}` +
        (schedule.version === null ? '' : `, pinned to v${schedule.version}`)
    ]);
  } else {
    entries.push(['Schedule', 'none']);
  }
  return h(
    'dl',
    { class: 'jp-mlext-summary jp-mlext-pipeline-summary' },
    ...entries.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])
  );
}

/**
 * The runs of a pipeline, newest first; the selected one is marked and each
 * row's button selects its run.
 */
export function pipelineRunsTable(
  name: string,
  runs: ReadonlyArray<PipelineRunSummary>,
  selected: string | null,
  select: (runId: string) => void
): HTMLElement {
  if (runs.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'No runs yet: use Run… to start one.');
  }
  const now = Date.now() / 1000;
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-pipeline-runs', 'aria-label': `Runs of pipeline ${name}` },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columnHeader('Status', 0),
        columnHeader('Started', 0),
        columnHeader('Duration', 1, 'jp-mlext-number'),
        columnHeader('Version', 3),
        columnHeader('Trigger', 3),
        columnHeader('Params', 2)
      )
    ),
    h(
      'tbody',
      {},
      ...runs.map(run => {
        const isSelected = run.run_id === selected;
        const started = formatTime(run.created_at);
        return h(
          'tr',
          {
            class: isSelected ? 'jp-mlext-selected' : null,
            'data-run-id': run.run_id,
            'data-state': run.state,
            onclick: () => select(run.run_id)
          },
          h('td', {}, runStateBadge(run.state, true)),
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'jp-mlext-link',
                'aria-pressed': isSelected ? 'true' : 'false',
                'aria-label': `Show the run started ${started}`,
                'data-focus-key': `run:${run.run_id}`,
                title: run.run_id,
                onclick: (event: Event) => {
                  event.stopPropagation();
                  select(run.run_id);
                }
              },
              started
            )
          ),
          h(
            'td',
            { class: 'jp-mlext-number', 'data-running-since': run.ended_at === null ? run.created_at : null },
            formatSeconds((run.ended_at ?? now) - run.created_at)
          ),
          h('td', {}, run.version === null ? '—' : `v${run.version}`),
          h('td', {}, run.trigger),
          h('td', { class: 'jp-mlext-code' }, clipped(formatParams(run.params)))
        );
      })
    )
  );
}
