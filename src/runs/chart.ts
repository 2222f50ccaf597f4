import { Widget } from '@lumino/widgets';
import uPlot from 'uplot';

import { MLExtClient } from '../api/client';
import { errorMessage } from '../api/errors';
import { JSONFloat, MetricsEventSeries } from '../api/types';
import { h, replaceChildren } from '../common/dom';
import { toNumber } from '../common/format';
import { cssVar, onThemeChange, seriesColour } from '../common/theme';

/**
 * One line of the chart: a run and its legend label.
 */
export interface IChartRun {
  id: string;
  label: string;
}

interface ISeriesData {
  steps: number[];
  values: (number | null)[];
}

const HEIGHT = 220;
const FALLBACK_WIDTH = 320;
const FEWEST_POINTS = 50;
const REDRAW_SPACING_MS = 150;

/**
 * Metric charts of several runs overlaid (uPlot on a canvas).
 *
 * Each series is fetched downsampled by the server to about as many points
 * as the chart is wide (capped by the `chartMaxPoints` setting), so a series
 * of any length costs the same to draw. Live points from metric events are
 * appended and redrawn a few times a second at most; when appending has
 * doubled a series, it is fetched downsampled again.
 *
 * The node's `data-series` and `data-points` attributes say what was last
 * drawn and `data-load-ms` how long the last full load took until drawn.
 */
export class MetricChart extends Widget {
  constructor(options: MetricChart.IOptions) {
    super();
    this._client = options.client;
    this._maxPoints = options.maxPoints;
    this.addClass('jp-mlext-chart');
    this.node.setAttribute('role', 'img');
    this._plotHost = h('div', { class: 'jp-mlext-chart-plot' });
    this._message = h('div', { class: 'jp-mlext-chart-message', 'aria-live': 'polite' });
    this.node.append(this._plotHost, this._message);
    this._stopThemeWatch = onThemeChange(() => this._rebuild());
    this._resizeObserver = new ResizeObserver(() => this._fitWidth());
    this._resizeObserver.observe(this.node);
  }

  /**
   * The metric shown, or null when there is none.
   */
  get key(): string | null {
    return this._key;
  }

  /**
   * Show `key` of `runs`, fetching each series.
   */
  async plot(runs: IChartRun[], key: string | null): Promise<void> {
    this._runs = runs;
    this._key = key;
    this._series = new Map();
    this._pending = [];
    const load = ++this._loads;
    this.node.setAttribute(
      'aria-label',
      key ? `Chart of ${key} for ${runs.map(run => run.label).join(', ')}` : 'No metric chosen'
    );
    if (key === null || runs.length === 0) {
      this._destroyPlot();
      this._setMessage(runs.length === 0 ? 'Select runs to chart them.' : 'These runs have no metrics yet.');
      return;
    }
    const started = performance.now();
    const errors: string[] = [];
    const maxPoints = this._pointsWanted();
    const histories = await Promise.all(
      runs.map(run =>
        this._client.metricHistory(run.id, key, maxPoints).catch(reason => {
          errors.push(`${run.label}: ${errorMessage(reason)}`);
          return null;
        })
      )
    );
    if (load !== this._loads || this.isDisposed) {
      return;
    }
    runs.forEach((run, index) => {
      const history = histories[index];
      this._series.set(run.id, {
        steps: history ? history.steps.slice() : [],
        values: history ? history.values.map(finiteOrNull) : []
      });
    });
    this._fetchedPoints = maxPoints;
    const pending = this._pending;
    this._pending = null;
    for (const points of pending ?? []) {
      this._appendNewer(points.runId, points.series);
    }
    this._rebuild();
    this._setMessage(errors.length ? `Could not load ${errors.join('; ')}` : '', errors.length > 0);
    this.node.dataset.loadMs = (performance.now() - started).toFixed(1);
  }

  /**
   * Add the newest points of `runId`'s series `key` from a metrics event.
   */
  append(runId: string, key: string, points: MetricsEventSeries): void {
    if (key !== this._key) {
      return;
    }
    if (this._pending !== null) {
      this._pending.push({ runId, series: points });
      return;
    }
    const series = this._series.get(runId);
    if (!series) {
      return;
    }
    const last = series.steps.length ? series.steps[series.steps.length - 1] : -Infinity;
    const inOrder = points.steps.every((step, i) => step > (i === 0 ? last : points.steps[i - 1]));
    if (points.truncated || !inOrder) {
      this._scheduleReload();
      return;
    }
    series.steps.push(...points.steps);
    series.values.push(...points.values.map(finiteOrNull));
    if (series.steps.length > 2 * this._fetchedPoints) {
      this._scheduleReload();
    }
    this._scheduleRedraw();
  }

  /**
   * Add the points of an event that arrived while the series were fetched,
   * skipping those the fetch already had.
   */
  private _appendNewer(runId: string, points: MetricsEventSeries): void {
    const series = this._series.get(runId);
    if (!series) {
      return;
    }
    const last = series.steps.length ? series.steps[series.steps.length - 1] : -Infinity;
    points.steps.forEach((step, i) => {
      if (step > last) {
        series.steps.push(step);
        series.values.push(finiteOrNull(points.values[i]));
      }
    });
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._stopThemeWatch();
    this._resizeObserver.disconnect();
    window.clearTimeout(this._redrawTimer);
    window.clearTimeout(this._reloadTimer);
    this._destroyPlot();
    super.dispose();
  }

  private _pointsWanted(): number {
    const width = this.node.clientWidth || FALLBACK_WIDTH;
    return Math.max(FEWEST_POINTS, Math.min(this._maxPoints(), Math.round(width)));
  }

  private _aligned(): uPlot.AlignedData {
    const tables = this._runs.map(run => {
      const series = this._series.get(run.id) ?? { steps: [], values: [] };
      return [series.steps, series.values] as uPlot.AlignedData;
    });
    if (tables.length === 1) {
      return tables[0];
    }
    return uPlot.join(tables);
  }

  private _rebuild(): void {
    this._destroyPlot();
    if (this._key === null || this._runs.length === 0) {
      return;
    }
    const width = this.node.clientWidth || FALLBACK_WIDTH;
    const axisColour = cssVar('--jp-ui-font-color1', '#000');
    const gridColour = cssVar('--jp-border-color2', '#ddd');
    const font = `11px ${cssVar('--jp-ui-font-family', 'sans-serif')}`;
    const axis: uPlot.Axis = {
      stroke: axisColour,
      font,
      grid: { stroke: gridColour, width: 1 },
      ticks: { stroke: gridColour, width: 1 }
    };
    const options: uPlot.Options = {
      width,
      height: HEIGHT,
      scales: { x: { time: false } },
      axes: [
        { ...axis, label: 'step', labelFont: font },
        { ...axis, size: 60 }
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: 'step' },
        ...this._runs.map((run, index) => ({
          label: run.label,
          stroke: seriesColour(index),
          width: 1.5,
          spanGaps: true
        }))
      ],
      hooks: { draw: [() => this._onDrawn()] }
    };
    this._plot = new uPlot(options, this._aligned(), this._plotHost);
  }

  private _onDrawn(): void {
    let points = 0;
    this._series.forEach(series => (points += series.steps.length));
    this.node.dataset.series = String(this._runs.length);
    this.node.dataset.points = String(points);
    this.node.dataset.key = this._key ?? '';
  }

  private _scheduleRedraw(): void {
    if (this._redrawTimer) {
      return;
    }
    this._redrawTimer = window.setTimeout(() => {
      this._redrawTimer = 0;
      if (this._plot) {
        this._plot.setData(this._aligned());
      } else {
        this._rebuild();
      }
    }, REDRAW_SPACING_MS);
  }

  private _scheduleReload(): void {
    if (this._reloadTimer) {
      return;
    }
    this._reloadTimer = window.setTimeout(() => {
      this._reloadTimer = 0;
      void this.plot(this._runs, this._key);
    }, REDRAW_SPACING_MS);
  }

  private _fitWidth(): void {
    const width = this.node.clientWidth;
    if (this._plot && width > 0 && width !== this._plot.width) {
      this._plot.setSize({ width, height: HEIGHT });
    }
  }

  private _destroyPlot(): void {
    if (this._plot) {
      this._plot.destroy();
      this._plot = null;
    }
    replaceChildren(this._plotHost);
    this.node.dataset.series = '0';
    this.node.dataset.points = '0';
  }

  private _setMessage(text: string, isError = false): void {
    this._message.textContent = text;
    this._message.classList.toggle('jp-mlext-error', isError);
    this._message.setAttribute('role', isError ? 'alert' : 'status');
  }

  private _client: MLExtClient;
  private _maxPoints: () => number;
  private _plotHost: HTMLElement;
  private _message: HTMLElement;
  private _plot: uPlot | null = null;
  private _runs: IChartRun[] = [];
  private _key: string | null = null;
  private _series = new Map<string, ISeriesData>();
  private _fetchedPoints = FEWEST_POINTS;
  private _pending: { runId: string; series: MetricsEventSeries }[] | null = null;
  private _loads = 0;
  private _redrawTimer = 0;
  private _reloadTimer = 0;
  private _stopThemeWatch: () => void;
  private _resizeObserver: ResizeObserver;
}

export namespace MetricChart {
  export interface IOptions {
    client: MLExtClient;
    /**
     * Most points to ask for per series (the `chartMaxPoints` setting).
     */
    maxPoints: () => number;
  }
}

function finiteOrNull(value: JSONFloat): number | null {
  const number = toNumber(value);
  return Number.isFinite(number) ? number : null;
}
