/**
 * Tables that fit a narrow sidebar: each header cell says how much its column matters (`data-priority`, 0 =
 * always shown, higher = dropped sooner), and a `ColumnFitter` hides the least important columns while the
 * table is wider than its container, showing them again as the container grows. What a hidden column held
 * stays one hover away: the row's tooltip lists it. A column without a priority is never hidden and takes
 * no part in the fitting: it is reached by scrolling (the Runs table's chosen metric and param columns, right
 * of the fitted ones).
 */
import { h } from './dom';

/**
 * A column as the fitting sees it: its priority and its natural width in pixels.
 */
export interface IColumnFit {
  priority: number;
  width: number;
}

/**
 * Which columns to show in `available` pixels: the essential ones (priority 0) always, then the others in
 * order of priority (left to right within one priority) while they fit. Once one does not fit, no column of
 * lower importance is shown either, so a wider column never leaves a hole that a narrower one fills.
 */
export function fitColumns(columns: ReadonlyArray<IColumnFit>, available: number): boolean[] {
  const shown = columns.map(column => column.priority <= 0);
  let used = columns.reduce((sum, column) => sum + (column.priority <= 0 ? column.width : 0), 0);
  const optional = columns
    .map((column, index) => ({ ...column, index }))
    .filter(column => column.priority > 0)
    .sort((a, b) => a.priority - b.priority || a.index - b.index);
  for (const column of optional) {
    if (used + column.width > available) {
      break;
    }
    used += column.width;
    shown[column.index] = true;
  }
  return shown;
}

const HIDDEN = 'jp-mlext-col-hidden';

/**
 * Show the columns of `table` that fit in `available` pixels (every column is shown first, to measure it).
 * Only header cells with `data-priority` can be hidden; a body row of another shape (an "empty" row spanning
 * the table) is left alone. Returns the labels of the hidden columns.
 */
export function fitTable(table: HTMLTableElement, available: number): string[] {
  const headers = Array.from(table.tHead?.rows[0]?.cells ?? []);
  const rows = Array.from(table.tBodies).flatMap(body => Array.from(body.rows));
  for (const cell of Array.from(table.querySelectorAll(`.${HIDDEN}`))) {
    cell.classList.remove(HIDDEN);
  }
  for (const row of rows) {
    if (row.dataset.fitTitle !== undefined) {
      row.removeAttribute('title');
      delete row.dataset.fitTitle;
    }
  }
  if (headers.length === 0 || table.scrollWidth <= available) {
    return [];
  }
  const columns = headers.map(cell =>
    cell.dataset.priority === undefined
      ? { priority: 0, width: 0 }
      : { priority: Number(cell.dataset.priority), width: cell.getBoundingClientRect().width }
  );
  const shown = fitColumns(columns, available);
  const hidden = headers.filter((_, index) => !shown[index]).map(cell => headerLabel(cell));
  if (hidden.length === 0) {
    return [];
  }
  headers.forEach((cell, index) => cell.classList.toggle(HIDDEN, !shown[index]));
  for (const row of rows) {
    if (row.cells.length !== headers.length) {
      continue;
    }
    const lines: string[] = [];
    Array.from(row.cells).forEach((cell, index) => {
      if (!shown[index]) {
        cell.classList.add(HIDDEN);
        const text = (cell.title || cell.textContent || '').trim();
        if (text) {
          lines.push(`${headerLabel(headers[index])}: ${text}`);
        }
      }
    });
    if (lines.length && !row.title) {
      row.title = lines.join('\n');
      row.dataset.fitTitle = '';
    }
  }
  return hidden;
}

function headerLabel(cell: HTMLTableCellElement): string {
  return (cell.dataset.label ?? cell.textContent ?? '').trim();
}

/**
 * Keeps the tables inside `container` fitted to its width: on every resize of the container and whenever
 * its content is replaced (the panels re-render by replacing children).
 */
export class ColumnFitter {
  constructor(container: HTMLElement) {
    this._container = container;
    if (typeof ResizeObserver !== 'undefined') {
      this._resize = new ResizeObserver(() => this._schedule());
      this._resize.observe(container);
    }
    this._mutations = new MutationObserver(() => this._schedule());
    this._mutations.observe(container, { childList: true, subtree: true });
  }

  /**
   * Fit now (the panels also fit on their own after each render).
   */
  fit(): void {
    const available = this._container.clientWidth;
    if (available === 0) {
      return;
    }
    this._mutations.takeRecords();
    for (const table of Array.from(this._container.querySelectorAll<HTMLTableElement>('table'))) {
      const hidden = fitTable(table, available);
      table.dataset.hiddenColumns = String(hidden.length);
    }
    this._mutations.takeRecords();
  }

  dispose(): void {
    this._resize?.disconnect();
    this._mutations.disconnect();
    cancelAnimationFrame(this._frame);
  }

  private _schedule(): void {
    if (this._frame) {
      return;
    }
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this.fit();
    });
  }

  private _container: HTMLElement;
  private _resize: ResizeObserver | null = null;
  private _mutations: MutationObserver;
  private _frame = 0;
}

/**
 * A header cell whose column gives way at `priority` in a narrow panel, its label also its tooltip.
 */
export function columnHeader(label: string, priority: number, className?: string): HTMLTableCellElement {
  return h(
    'th',
    {
      scope: 'col',
      class: className,
      'data-priority': priority,
      'data-label': label || 'Actions',
      title: label || null
    },
    label
  );
}
