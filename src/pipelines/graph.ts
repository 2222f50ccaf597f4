/**
 * A pipeline run drawn as its DAG: steps in topological layers from top to
 * bottom (each step one layer below the lowest step it takes inputs from),
 * edges as SVG curves, each step a button showing its status by colour,
 * glyph and word, that opens the step's run.
 *
 * Pipelines have a handful of steps, so a longest-path layering with one
 * barycentre pass (a step sits near the steps it depends on) is enough; no
 * graph library is needed.
 */
import { PipelineRunStep } from '../api/types';
import { h } from '../common/dom';
import { stepLook } from '../common/status';

const NODE_WIDTH = 150;
const NODE_HEIGHT = 46;
const GAP_X = 16;
const GAP_Y = 34;
const PADDING = 8;
const SVG_NS = 'http://www.w3.org/2000/svg';
const SMALLEST_ZOOM = 0.5;

/**
 * The zoom at which a graph `width` pixels wide fits in `available` pixels: never above 1 (a small graph is
 * not blown up), never below a half (smaller text cannot be read: the graph scrolls instead).
 */
export function zoomToFit(width: number, available: number): number {
  if (width <= 0 || available <= 0 || width <= available) {
    return 1;
  }
  return Math.max(SMALLEST_ZOOM, Math.floor((available / width) * 100) / 100);
}

/**
 * Step names in layers: a step one below the lowest of the steps it depends
 * on; within a layer, ordered by where those steps sit (then as defined).
 */
export function layerSteps(steps: ReadonlyArray<PipelineRunStep>): string[][] {
  const byName = new Map(steps.map(step => [step.name, step]));
  const depth = new Map<string, number>();
  const depthOf = (name: string, visiting: Set<string>): number => {
    const known = depth.get(name);
    if (known !== undefined) {
      return known;
    }
    visiting.add(name);
    const parents = (byName.get(name)?.depends_on ?? []).filter(p => byName.has(p) && !visiting.has(p));
    const value = parents.length ? Math.max(...parents.map(p => depthOf(p, visiting))) + 1 : 0;
    visiting.delete(name);
    depth.set(name, value);
    return value;
  };
  const layers: string[][] = [];
  for (const step of steps) {
    const value = depthOf(step.name, new Set());
    (layers[value] ??= []).push(step.name);
  }
  const position = new Map<string, number>();
  return layers
    .filter(layer => layer !== undefined)
    .map(layer => {
      const centre = (name: string): number => {
        const parents = (byName.get(name)?.depends_on ?? []).filter(p => position.has(p));
        return parents.length ? parents.reduce((sum, p) => sum + position.get(p)!, 0) / parents.length : 0;
      };
      const ordered = layer
        .map((name, index) => ({ name, index, centre: centre(name) }))
        .sort((a, b) => a.centre - b.centre || a.index - b.index)
        .map(entry => entry.name);
      ordered.forEach((name, index) => position.set(name, index - (ordered.length - 1) / 2));
      return ordered;
    });
}

export namespace PipelineGraph {
  export interface IOptions {
    /**
     * The run the steps belong to, for the labels.
     */
    label: string;
    openRun: (id: string) => void;
  }
}

/**
 * The DAG of `steps` as positioned buttons over an SVG of edges.
 */
export function pipelineGraph(steps: ReadonlyArray<PipelineRunStep>, options: PipelineGraph.IOptions): HTMLElement {
  const layers = layerSteps(steps);
  const widest = Math.max(1, ...layers.map(layer => layer.length));
  const width = PADDING * 2 + widest * NODE_WIDTH + (widest - 1) * GAP_X;
  const height = PADDING * 2 + layers.length * NODE_HEIGHT + Math.max(0, layers.length - 1) * GAP_Y;
  const places = new Map<string, { x: number; y: number }>();
  layers.forEach((layer, row) => {
    const rowWidth = layer.length * NODE_WIDTH + (layer.length - 1) * GAP_X;
    const left = (width - rowWidth) / 2;
    layer.forEach((name, column) => {
      places.set(name, { x: left + column * (NODE_WIDTH + GAP_X), y: PADDING + row * (NODE_HEIGHT + GAP_Y) });
    });
  });
  const byName = new Map(steps.map(step => [step.name, step]));
  const graph = h('div', {
    class: 'jp-mlext-dag',
    role: 'group',
    'aria-label': `Steps of ${options.label}`,
    style: `width: ${width}px; height: ${height}px`,
    'data-width': width
  });
  graph.appendChild(edges(steps, places, width, height));
  for (const layer of layers) {
    for (const name of layer) {
      graph.appendChild(stepNode(byName.get(name)!, places.get(name)!, options.openRun));
    }
  }
  return graph;
}

function edges(
  steps: ReadonlyArray<PipelineRunStep>,
  places: Map<string, { x: number; y: number }>,
  width: number,
  height: number
): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('class', 'jp-mlext-dag-edges');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('aria-hidden', 'true');
  const marker = document.createElementNS(SVG_NS, 'marker');
  marker.setAttribute('id', 'jp-mlext-dag-arrow');
  marker.setAttribute('viewBox', '0 0 10 10');
  marker.setAttribute('refX', '9');
  marker.setAttribute('refY', '5');
  marker.setAttribute('markerWidth', '7');
  marker.setAttribute('markerHeight', '7');
  marker.setAttribute('orient', 'auto-start-reverse');
  const tip = document.createElementNS(SVG_NS, 'path');
  tip.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
  tip.setAttribute('class', 'jp-mlext-dag-arrow');
  marker.appendChild(tip);
  const defs = document.createElementNS(SVG_NS, 'defs');
  defs.appendChild(marker);
  svg.appendChild(defs);
  for (const step of steps) {
    const to = places.get(step.name)!;
    for (const producer of step.depends_on) {
      const from = places.get(producer);
      if (!from) {
        continue;
      }
      const x1 = from.x + NODE_WIDTH / 2;
      const y1 = from.y + NODE_HEIGHT;
      const x2 = to.x + NODE_WIDTH / 2;
      const y2 = to.y - 1;
      const bend = (y2 - y1) / 2;
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('d', `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`);
      path.setAttribute('class', 'jp-mlext-dag-edge');
      path.setAttribute('marker-end', 'url(#jp-mlext-dag-arrow)');
      path.dataset.from = producer;
      path.dataset.to = step.name;
      svg.appendChild(path);
    }
  }
  return svg;
}

function stepNode(step: PipelineRunStep, place: { x: number; y: number }, openRun: (id: string) => void): HTMLElement {
  const look = stepLook(step);
  const runId = step.run_id;
  const after = step.depends_on.length ? `, after ${step.depends_on.join(', ')}` : '';
  const action = runId ? '. Open its run' : '';
  const details = [
    `${step.name} (${step.kind} on ${step.compute}): ${look.label}`,
    step.reused_from ? `reuses the outputs of run ${step.reused_from}` : '',
    step.error ?? ''
  ].filter(Boolean);
  return h(
    'button',
    {
      class: 'jp-mlext-dag-node',
      style: `left: ${place.x}px; top: ${place.y}px; width: ${NODE_WIDTH}px; height: ${NODE_HEIGHT}px`,
      'data-step': step.name,
      'data-look': look.key,
      'data-state': step.state,
      'data-run-id': runId,
      'data-focus-key': `step:${step.name}`,
      'aria-label': `Step ${step.name}: ${look.label}${after}${action}`,
      'aria-disabled': runId ? null : 'true',
      title: details.join('\n'),
      onclick: () => {
        if (runId) {
          openRun(runId);
        }
      }
    },
    h('span', { class: 'jp-mlext-dag-name' }, step.name),
    h(
      'span',
      { class: 'jp-mlext-dag-status' },
      h('span', { class: 'jp-mlext-status-glyph', 'aria-hidden': 'true' }, look.glyph),
      h('span', { class: 'jp-mlext-dag-status-text' }, look.label)
    )
  );
}
