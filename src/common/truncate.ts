/**
 * Text that may not fit a narrow panel: shortened with an ellipsis, the full text always in a tooltip.
 */
import { h } from './dom';

const ELLIPSIS = '…';

/**
 * `text` cut in its middle to at most `max` characters, so both its start and its end stay readable.
 */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  if (max <= 1) {
    return ELLIPSIS;
  }
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - (keep - head))}`;
}

/**
 * A path of at most `max` characters that keeps its last segments (the file's name first): leading folders
 * give way to `…/`, and a name longer than `max` is cut in its middle.
 */
export function shortPath(path: string, max: number): string {
  if (path.length <= max) {
    return path;
  }
  const segments = path.split('/');
  let kept = segments[segments.length - 1];
  for (let index = segments.length - 2; index >= 0; index--) {
    const longer = `${segments[index]}/${kept}`;
    if (longer.length + 2 > max) {
      break;
    }
    kept = longer;
  }
  const shortened = `${ELLIPSIS}/${kept}`;
  return shortened.length <= max ? shortened : truncateMiddle(segments[segments.length - 1], max);
}

/**
 * A span that ends in an ellipsis where its box is too narrow (CSS), with the full text as its tooltip.
 */
export function clipped(text: string, className = ''): HTMLSpanElement {
  return h('span', { class: `jp-mlext-clip ${className}`.trim(), title: text }, text);
}
