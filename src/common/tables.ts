/**
 * Small tables shared by the run detail and the Models panel: a run's
 * key/value pairs (params, tags) and its latest metrics.
 */
import { RunInfo } from '../api/types';
import { h } from './dom';
import { columnHeader } from './fit';
import { formatNumber } from './format';
import { clipped } from './truncate';

export interface IKeyValueTableOptions {
  /**
   * The table's accessible name.
   */
  label: string;
  /**
   * The text shown instead of an empty table.
   */
  empty: string;
  /**
   * Column headers (key, value); no header row without them.
   */
  columns?: [string, string];
}

/**
 * `values` sorted by key, one row each (the key a row header).
 */
export function keyValueTable(values: { [key: string]: string }, options: IKeyValueTableOptions): HTMLElement {
  const keys = Object.keys(values).sort();
  if (keys.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, options.empty);
  }
  const columns = options.columns;
  return h(
    'table',
    { class: 'jp-mlext-table', 'aria-label': options.label },
    columns ? h('thead', {}, h('tr', {}, ...columns.map(column => h('th', { scope: 'col' }, column)))) : null,
    h(
      'tbody',
      {},
      ...keys.map(key => h('tr', {}, h('th', { scope: 'row' }, clipped(key)), h('td', {}, clipped(values[key]))))
    )
  );
}

export interface IMetricsTableOptions {
  /**
   * The table's accessible name.
   */
  label: string;
  /**
   * The text shown when the run has no metrics.
   */
  empty: string;
  /**
   * Whether to add the last step and the number of points.
   */
  steps?: boolean;
}

/**
 * A run's metrics sorted by key: last, min and max (and, with `steps`, the
 * last step and the number of points).
 */
export function metricsTable(run: RunInfo, options: IMetricsTableOptions): HTMLElement {
  const keys = Object.keys(run.metrics).sort();
  if (keys.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, options.empty);
  }
  const columns: [string, number][] = [
    ['metric', 0],
    ['last', 0],
    ['min', 2],
    ['max', 2],
    ...(options.steps
      ? ([
          ['step', 1],
          ['points', 3]
        ] as [string, number][])
      : [])
  ];
  return h(
    'table',
    { class: 'jp-mlext-table', 'aria-label': options.label },
    h('thead', {}, h('tr', {}, ...columns.map(([label, priority]) => columnHeader(label, priority)))),
    h(
      'tbody',
      {},
      ...keys.map(key => {
        const metric = run.metrics[key];
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, clipped(key)),
          ...[metric.last, metric.min, metric.max].map(value =>
            h('td', { class: 'jp-mlext-number' }, formatNumber(value))
          ),
          ...(options.steps
            ? [
                h('td', { class: 'jp-mlext-number' }, String(metric.last_step)),
                h('td', { class: 'jp-mlext-number' }, String(metric.count))
              ]
            : [])
        );
      })
    )
  );
}
