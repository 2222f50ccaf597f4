/**
 * Reading the theme's colours for what CSS cannot paint (chart canvases).
 */

const SERIES_COLOURS = 8;

/**
 * The value of a CSS custom property on the page, e.g. `--jp-ui-font-color1`.
 */
export function cssVar(name: string, fallback = ''): string {
  const value = getComputedStyle(document.body).getPropertyValue(name).trim();
  return value || fallback;
}

/**
 * Colour of the `index`-th series (`--jp-mlext-series-N` in style/base.css).
 */
export function seriesColour(index: number): string {
  return cssVar(`--jp-mlext-series-${index % SERIES_COLOURS}`, '#1976d2');
}

/**
 * Call `callback` whenever JupyterLab switches theme. JupyterLab marks the
 * body with the theme's name once the theme's styles are loaded, so the
 * colours read then are the new ones. Returns a function that stops watching.
 */
export function onThemeChange(callback: () => void): () => void {
  const observer = new MutationObserver(() => callback());
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light']
  });
  return () => observer.disconnect();
}
