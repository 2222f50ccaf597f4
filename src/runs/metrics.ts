/**
 * A run's metrics as the Runs panel and the run detail use them: summaries updated from metric events, and
 * which metric to chart.
 */
import { JSONFloat, MetricsEventSeries, RunInfo } from '../api/types';
import { toNumber } from '../common/format';

/**
 * A run with the latest values of a metrics event folded into its summaries.
 */
export function withMetrics(run: RunInfo, series: { [key: string]: MetricsEventSeries }): RunInfo {
  const metrics = { ...run.metrics };
  for (const [key, points] of Object.entries(series)) {
    const count = points.values.length;
    if (count === 0) {
      continue;
    }
    const values = points.values.map(toNumber).filter(Number.isFinite);
    const previous = metrics[key];
    const lastStep = points.steps[count - 1];
    const newer = !previous || lastStep >= previous.last_step;
    const min = Math.min(finiteOr(previous?.min, Infinity), ...values);
    const max = Math.max(finiteOr(previous?.max, -Infinity), ...values);
    metrics[key] = {
      key,
      last: newer ? points.values[count - 1] : previous.last,
      min: Number.isFinite(min) ? min : (previous?.min ?? null),
      max: Number.isFinite(max) ? max : (previous?.max ?? null),
      last_step: newer ? lastStep : previous.last_step,
      last_timestamp: newer ? points.timestamps[count - 1] : previous.last_timestamp,
      count: (previous?.count ?? 0) + points.count
    };
  }
  return { ...run, metrics };
}

function finiteOr(value: JSONFloat | null | undefined, fallback: number): number {
  const number = toNumber(value);
  return Number.isFinite(number) ? number : fallback;
}

/**
 * Metric keys of any of `runs`, sorted.
 */
export function metricKeys(runs: ReadonlyArray<RunInfo>): string[] {
  const keys = new Set<string>();
  runs.forEach(run => Object.keys(run.metrics).forEach(key => keys.add(key)));
  return [...keys].sort();
}

/**
 * The metric to chart first: the one with the most points (a curve rather than a final score).
 */
export function preferredKey(runs: ReadonlyArray<RunInfo>, keys: string[]): string | null {
  let best: string | null = null;
  let most = -1;
  for (const key of keys) {
    const count = Math.max(...runs.map(run => run.metrics[key]?.count ?? 0));
    if (count > most) {
      best = key;
      most = count;
    }
  }
  return best;
}
