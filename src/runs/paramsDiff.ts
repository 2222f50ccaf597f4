/**
 * The params of selected runs side by side: by default only the params whose
 * values differ (a param a run lacks counts as different).
 */
import { RunInfo } from '../api/types';
import { h } from '../common/dom';

export interface IParamRow {
  key: string;
  values: (string | undefined)[];
  differs: boolean;
}

/**
 * One row per param key of any of `runs`, in key order.
 */
export function paramRows(runs: ReadonlyArray<RunInfo>): IParamRow[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.params).forEach(key => keys.add(key)));
  return [...keys].sort().map(key => {
    const values = runs.map(run => run.params[key]);
    return { key, values, differs: new Set(values).size > 1 };
  });
}

export function renderParamsDiff(runs: ReadonlyArray<RunInfo>, showAll: boolean): HTMLElement {
  const rows = paramRows(runs).filter(row => showAll || row.differs);
  if (rows.length === 0) {
    return h(
      'p',
      { class: 'jp-mlext-muted' },
      showAll ? 'These runs have no params.' : 'The params of these runs are the same.'
    );
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-params-diff', 'aria-label': 'Params of the selected runs' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'param'),
        ...runs.map(run => h('th', { scope: 'col', title: run.id }, run.name))
      )
    ),
    h(
      'tbody',
      {},
      ...rows.map(row =>
        h(
          'tr',
          { class: row.differs ? 'jp-mlext-differs' : null },
          h('th', { scope: 'row' }, row.key),
          ...row.values.map(value => h('td', { class: value === undefined ? 'jp-mlext-muted' : null }, value ?? '—'))
        )
      )
    )
  );
}
