/**
 * Sidebar icons; `jp-icon3` paints them in the theme's icon colour.
 */
import { LabIcon } from '@jupyterlab/ui-components';

const RUNS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h2v16h16v2H3z"/>
    <path d="M7.4 15.6 6 14.2l4.5-4.5 3 3 5.1-5.1L20 9l-6.5 6.5-3-3z"/>
  </g>
</svg>`;

const COMPUTE_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 4h18v6H3zm2 2v2h2V6zm4 0v2h10V6zM3 14h18v6H3zm2 2v2h2v-2zm4 0v2h10v-2z"/>
  </g>
</svg>`;

export const runsIcon = new LabIcon({
  name: 'jupyter-mlext:runs',
  svgstr: RUNS_SVG
});

export const computeIcon = new LabIcon({
  name: 'jupyter-mlext:compute',
  svgstr: COMPUTE_SVG
});

const MODELS_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2 3 7v10l9 5 9-5V7zm0 2.3L18.6 8 12 11.7 5.4 8zM5 9.7l6 3.4v6.6l-6-3.3zm8 10v-6.6l6-3.4v6.7z"/>
  </g>
</svg>`;

export const modelsIcon = new LabIcon({
  name: 'jupyter-mlext:models',
  svgstr: MODELS_SVG
});

const PIPELINES_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 2h6v5h-2v3.1l5 2.9V16h3v6h-6v-6h1v-1.8l-4-2.3-4 2.3V16h1v6H3v-6h3v-3l5-2.9V7H9zm2 2v1h2V4zM5 18v2h2v-2zm12 0v2h2v-2z"/>
  </g>
</svg>`;

export const pipelinesIcon = new LabIcon({
  name: 'jupyter-mlext:pipelines',
  svgstr: PIPELINES_SVG
});
