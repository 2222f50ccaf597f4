/**
 * The runs table of the Runs panel: one page of runs, sortable by any column
 * (the sort itself runs on the server), with a checkbox per run to select it
 * for the chart and a name button to open its details.
 */
import { RunInfo } from '../api/types';
import { h, keepingFocus, replaceChildren } from '../common/dom';
import { tickDurations } from '../common/durations';
import { formatNumber, formatSeconds, formatTime, runDuration } from '../common/format';
import { isActive, statusBadge } from '../common/status';
import { clipped } from '../common/truncate';
import { fieldName, splitField, treeOrder, valueFields } from './columns';
import { ISort } from './model';

/**
 * A column: `field` is what the search language sorts by.
 */
export interface IColumn {
  field: string;
  label: string;
  cell: (run: RunInfo, now: number) => string | HTMLElement;
  className?: string;
  /**
   * How soon the column gives way in a narrow panel (0 never; see common/fit.ts); the metric and param
   * columns have none: they scroll.
   */
  priority?: number;
}

type Direction = 'ascending' | 'descending' | 'none';

const SORT_MARKS: { [direction in Direction]: string } = { ascending: ' ▲', descending: ' ▼', none: '' };

function valueColumn(field: string): IColumn {
  const { family, key } = splitField(field);
  return {
    field: fieldName(family, key),
    label: key,
    className: family === 'metrics' ? 'jp-mlext-number' : undefined,
    cell: run => {
      if (family === 'metrics') {
        return formatNumber(run.metrics[key]?.last);
      }
      const values = family === 'params' ? run.params : run.tags;
      return values[key] ?? '';
    }
  };
}

export class RunsTable {
  constructor(options: RunsTable.IOptions) {
    this._options = options;
    this.node = h('table', {
      class: 'jp-mlext-table jp-mlext-runs-table',
      'aria-label': 'Runs',
      'aria-multiselectable': 'true'
    });
  }

  readonly node: HTMLTableElement;

  render(state: RunsTable.IState): void {
    const now = Date.now() / 1000;
    const columns = this._columns(state);
    const sort = state.sort;
    const header = h(
      'tr',
      {},
      h(
        'th',
        { scope: 'col', class: 'jp-mlext-select-cell', 'data-priority': 0, 'data-label': 'Selected' },
        h('span', { class: 'jp-mlext-visually-hidden' }, 'Selected')
      ),
      ...columns.map(column => {
        const sorted = sort !== null && sort.field === column.field;
        const direction: Direction = sorted ? (sort.direction === 'ASC' ? 'ascending' : 'descending') : 'none';
        return h(
          'th',
          {
            scope: 'col',
            'aria-sort': direction,
            class: column.className,
            'data-field': column.field,
            'data-priority': column.priority,
            'data-label': column.label
          },
          h(
            'button',
            {
              class: 'jp-mlext-sort-button',
              title: `Sort by ${column.field}`,
              'data-focus-key': `sort:${column.field}`,
              onclick: () => this._options.onSort(column.field)
            },
            column.label,
            h('span', { class: 'jp-mlext-sort-mark', 'aria-hidden': 'true' }, SORT_MARKS[direction])
          )
        );
      })
    );
    const rows = sort === null ? treeOrder(state.runs) : state.runs.map(run => ({ run, depth: 0 }));
    const byId = new Map(state.runs.map(run => [run.id, run]));
    const body = rows.map(({ run, depth }) => this._row(run, depth, columns, state, now, byId));
    if (rows.length === 0) {
      body.push(
        h('tr', {}, h('td', { colspan: columns.length + 1, class: 'jp-mlext-muted jp-mlext-empty' }, state.emptyText))
      );
    }
    keepingFocus(this.node, () => replaceChildren(this.node, h('thead', {}, header), h('tbody', {}, ...body)));
  }

  /**
   * Refresh the durations of runs still running.
   */
  tick(): void {
    tickDurations(this.node);
  }

  private _columns(state: RunsTable.IState): IColumn[] {
    const columns: IColumn[] = [
      {
        field: 'status',
        label: 'Status',
        className: 'jp-mlext-status-cell',
        priority: 0,
        cell: run => statusBadge(run.status, true)
      },
      { field: 'name', label: 'Name', priority: 0, cell: () => '' },
      { field: 'started_at', label: 'Start', priority: 2, cell: run => formatTime(run.started_at) },
      {
        field: 'duration',
        label: 'Duration',
        className: 'jp-mlext-number',
        priority: 1,
        cell: (run, now) => {
          const seconds = runDuration(run, now);
          return seconds === null ? '' : formatSeconds(seconds);
        }
      }
    ];
    if (state.showExperiment) {
      columns.splice(2, 0, {
        field: 'experiment',
        label: 'Experiment',
        priority: 3,
        cell: run => clipped(run.experiment)
      });
    }
    return [...columns, ...valueFields(state.columns, state.runs).map(valueColumn)];
  }

  private _row(
    run: RunInfo,
    depth: number,
    columns: IColumn[],
    state: RunsTable.IState,
    now: number,
    byId: Map<string, RunInfo>
  ): HTMLTableRowElement {
    const selected = state.isSelected(run.id);
    const checkbox = h('input', {
      type: 'checkbox',
      class: 'jp-mlext-select',
      'aria-label': `Select run ${run.name}`,
      'data-focus-key': `select:${run.id}`,
      checked: selected,
      onchange: () => this._options.onToggle(run.id)
    });
    const parent = run.parent_id !== null ? byId.get(run.parent_id) : undefined;
    const cells = columns.map(column => {
      if (column.field === 'name') {
        return h(
          'td',
          { class: 'jp-mlext-name-cell', style: depth > 0 ? `padding-left: ${depth * 14 + 4}px` : null },
          run.parent_id !== null
            ? h('span', { class: 'jp-mlext-child-mark', title: `child of ${parent?.name ?? run.parent_id}` }, '↳ ')
            : null,
          h(
            'button',
            {
              class: 'jp-mlext-link',
              title: `Open the details of ${run.name} (${run.id})`,
              'data-focus-key': `open:${run.id}`,
              onclick: () => this._options.onOpen(run.id)
            },
            run.name
          )
        );
      }
      const running = column.field === 'duration' && isActive(run.status) && run.started_at !== null;
      return h(
        'td',
        { class: column.className, 'data-running-since': running ? run.started_at : null },
        column.cell(run, now)
      );
    });
    return h(
      'tr',
      {
        class: selected ? 'jp-mlext-row jp-mlext-selected' : 'jp-mlext-row',
        'aria-selected': selected ? 'true' : 'false',
        'data-run-id': run.id,
        'data-status': run.status,
        onclick: ((event: MouseEvent) => {
          const target = event.target as HTMLElement;
          if (!target.closest('button, input, a')) {
            this._options.onToggle(run.id);
          }
        }) as EventListener
      },
      h('td', { class: 'jp-mlext-select-cell' }, checkbox),
      ...cells
    );
  }

  private _options: RunsTable.IOptions;
}

export namespace RunsTable {
  export interface IOptions {
    onSort: (field: string) => void;
    onToggle: (id: string) => void;
    onOpen: (id: string) => void;
  }

  export interface IState {
    runs: ReadonlyArray<RunInfo>;
    sort: ISort | null;
    columns: string[];
    showExperiment: boolean;
    isSelected: (id: string) => boolean;
    emptyText: string;
  }
}
