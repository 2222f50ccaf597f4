/**
 * The fields of the runs table: metric, param and tag columns as the search language names them, and the
 * order of a page's runs as a tree of parents and children.
 */
import { RunInfo } from '../api/types';

const FIXED_METRICS = 4;
const FIXED_PARAMS = 3;

/**
 * `metrics.KEY` as the search language spells it: keys with other characters
 * than letters, digits, `_`, `-` and inner dots go in backticks.
 */
export function fieldName(family: string, key: string): string {
  return /^[\w-]+(\.[\w-]+)*$/.test(key) ? `${family}.${key}` : `${family}.\`${key}\``;
}

/**
 * The family (`metrics`, `params` or `tags`) and the key of a field, without backticks.
 */
export function splitField(field: string): { family: string; key: string } {
  const dot = field.indexOf('.');
  return { family: field.slice(0, dot), key: field.slice(dot + 1).replace(/^`(.*)`$/, '$1') };
}

/**
 * The metric and param columns: the chosen ones, or else the first metrics and
 * params found on the page.
 */
export function valueFields(chosen: string[], runs: ReadonlyArray<RunInfo>): string[] {
  if (chosen.length > 0) {
    return chosen;
  }
  const metrics = new Set<string>();
  const params = new Set<string>();
  for (const run of runs) {
    Object.keys(run.metrics).forEach(key => metrics.add(key));
    Object.keys(run.params).forEach(key => params.add(key));
  }
  return [
    ...[...metrics]
      .sort()
      .slice(0, FIXED_METRICS)
      .map(key => fieldName('metrics', key)),
    ...[...params]
      .sort()
      .slice(0, FIXED_PARAMS)
      .map(key => fieldName('params', key))
  ];
}

/**
 * All metric, param and tag fields of `runs`, to choose columns from.
 */
export function availableFields(runs: ReadonlyArray<RunInfo>): string[] {
  const fields = new Set<string>();
  for (const run of runs) {
    Object.keys(run.metrics).forEach(key => fields.add(fieldName('metrics', key)));
    Object.keys(run.params).forEach(key => fields.add(fieldName('params', key)));
    Object.keys(run.tags).forEach(key => fields.add(fieldName('tags', key)));
  }
  return [...fields].sort();
}

/**
 * The page's runs with each child right under its parent (when the parent is
 * on the page too), and its depth in that tree.
 */
export function treeOrder(runs: ReadonlyArray<RunInfo>): { run: RunInfo; depth: number }[] {
  const onPage = new Set(runs.map(run => run.id));
  const children = new Map<string, RunInfo[]>();
  const roots: RunInfo[] = [];
  for (const run of runs) {
    if (run.parent_id !== null && onPage.has(run.parent_id)) {
      const siblings = children.get(run.parent_id) ?? [];
      siblings.push(run);
      children.set(run.parent_id, siblings);
    } else {
      roots.push(run);
    }
  }
  const ordered: { run: RunInfo; depth: number }[] = [];
  const visit = (run: RunInfo, depth: number): void => {
    ordered.push({ run, depth });
    (children.get(run.id) ?? []).forEach(child => visit(child, depth + 1));
  };
  roots.forEach(run => visit(run, 0));
  return ordered;
}
