/**
 * The parts of the Models panel that only show data: the versions table, a
 * version's lineage and the model's history. Actions come in as callbacks.
 */
import { ModelLineage, ModelVersion, RegistryAction, RegistryChange, RunInfo } from '../api/types';
import { h } from '../common/dom';
import { columnHeader } from '../common/fit';
import { formatBytes, formatTime, userLabel } from '../common/format';
import { statusBadge } from '../common/status';
import { keyValueTable, metricsTable } from '../common/tables';
import { clipped, shortPath } from '../common/truncate';

export interface IVersionActions {
  select: (version: number) => void;
  openRun: (id: string) => void;
  setAlias: (version: number) => void;
  removeAlias: (alias: string) => void;
  editTags: (version: ModelVersion) => void;
  downloadUrl: (version: ModelVersion) => string;
}

/**
 * What can be done to the selected version: download it, set an alias on
 * it, edit its tags.
 */
export function versionToolbar(version: ModelVersion, actions: IVersionActions): HTMLElement {
  const ref = `${version.name}:${version.version}`;
  return h(
    'div',
    { class: 'jp-mlext-actions jp-mlext-version-actions', role: 'group', 'aria-label': `Actions on ${ref}` },
    version.stored === 'copy'
      ? h(
          'a',
          {
            class: 'jp-mlext-button',
            href: actions.downloadUrl(version),
            download: '',
            'aria-label': `Download ${ref}`,
            title: `${version.file_count} files, ${formatBytes(version.size)}`
          },
          'Download'
        )
      : h('span', { class: 'jp-mlext-muted', title: version.location }, 'files outside the workspace'),
    h(
      'button',
      {
        class: 'jp-mlext-button',
        'aria-label': `Set an alias on ${ref}`,
        onclick: () => actions.setAlias(version.version)
      },
      'Set alias…'
    ),
    h(
      'button',
      { class: 'jp-mlext-button', 'aria-label': `Edit the tags of ${ref}`, onclick: () => actions.editTags(version) },
      'Edit tags…'
    )
  );
}

const ACTION_LABELS: { readonly [action in RegistryAction]: string } = {
  registered: 'registered',
  deleted: 'deleted',
  tag_set: 'set tag',
  tag_deleted: 'removed tag',
  alias_set: 'moved alias',
  alias_deleted: 'removed alias'
};

export function versionsTable(
  name: string,
  versions: ReadonlyArray<ModelVersion>,
  selected: number | null,
  actions: IVersionActions
): HTMLElement {
  if (versions.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'This model has no versions left.');
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-model-versions', 'aria-label': `Versions of ${name}` },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columnHeader('Version', 0),
        columnHeader('Created', 3),
        columnHeader('Run', 2),
        columnHeader('Tags', 3),
        columnHeader('Aliases', 1),
        columnHeader('Size', 2, 'jp-mlext-number')
      )
    ),
    h(
      'tbody',
      {},
      ...versions.map(version => {
        const ref = `${version.name}:${version.version}`;
        return h(
          'tr',
          {
            'data-version': version.version,
            class: version.version === selected ? 'jp-mlext-selected' : null
          },
          h(
            'td',
            {},
            h(
              'button',
              {
                class: 'jp-mlext-link',
                'aria-pressed': version.version === selected ? 'true' : 'false',
                'aria-label': `Show version ${version.version}`,
                'data-focus-key': `version:${version.version}`,
                onclick: () => actions.select(version.version)
              },
              `v${version.version}`
            )
          ),
          h('td', { title: `by ${userLabel(version.user)}` }, formatTime(version.created_at)),
          h(
            'td',
            {},
            version.run_id
              ? h(
                  'button',
                  {
                    class: 'jp-mlext-link jp-mlext-code',
                    title: `Open run ${version.run_id}`,
                    'aria-label': `Open run ${version.run_id} of ${ref}`,
                    onclick: () => actions.openRun(version.run_id as string)
                  },
                  version.run_id.slice(0, 8)
                )
              : h('span', { class: 'jp-mlext-muted', title: version.source }, 'local files')
          ),
          h('td', { class: 'jp-mlext-model-tags' }, ...chips(version.tags)),
          h(
            'td',
            { class: 'jp-mlext-model-aliases' },
            ...version.aliases.map(alias =>
              h(
                'span',
                { class: 'jp-mlext-chip jp-mlext-alias', 'data-alias': alias },
                `@${alias}`,
                h(
                  'button',
                  {
                    class: 'jp-mlext-chip-remove',
                    'aria-label': `Remove alias ${alias}`,
                    title: `Remove alias ${alias}`,
                    onclick: () => actions.removeAlias(alias)
                  },
                  '×'
                )
              )
            )
          ),
          h('td', { class: 'jp-mlext-number', title: `${version.file_count} files` }, formatBytes(version.size))
        );
      })
    )
  );
}

function chips(values: { [key: string]: string }): HTMLElement[] {
  return Object.keys(values)
    .sort()
    .map(key => h('span', { class: 'jp-mlext-chip', 'data-tag': key }, `${key}=${values[key]}`));
}

export function lineageView(lineage: ModelLineage | null, openRun: (id: string) => void): HTMLElement {
  if (lineage === null) {
    return h('p', { class: 'jp-mlext-muted' }, 'Loading the lineage…');
  }
  const run = lineage.run;
  if (run === null) {
    return h(
      'p',
      { class: 'jp-mlext-muted' },
      `Registered from local files (${lineage.version.source}), not from a run.`
    );
  }
  const parents = lineage.parents;
  return h(
    'div',
    { class: 'jp-mlext-lineage' },
    h(
      'dl',
      { class: 'jp-mlext-summary' },
      h('dt', {}, 'Run'),
      h(
        'dd',
        {},
        h('button', { class: 'jp-mlext-link', title: run.id, onclick: () => openRun(run.id) }, run.name),
        ' ',
        statusBadge(run.status, true)
      ),
      h('dt', {}, 'Experiment'),
      h('dd', {}, clipped(run.experiment)),
      h('dt', {}, 'User'),
      h('dd', {}, userLabel(run.user)),
      h('dt', {}, 'Source'),
      h('dd', { title: lineage.version.source }, shortPath(lineage.version.source, 40)),
      parents.length ? h('dt', {}, 'Parents') : null,
      parents.length ? h('dd', {}, ...parentLinks(parents, openRun)) : null
    ),
    h(
      'div',
      { class: 'jp-mlext-lineage-tables' },
      keyValueTable(run.params, { label: 'Params of the run', empty: 'No params.', columns: ['param', 'value'] }),
      metricsTable(run, { label: 'Metrics of the run', empty: 'No metrics.' })
    )
  );
}

function parentLinks(parents: RunInfo[], openRun: (id: string) => void): Array<Node | string> {
  const links: Array<Node | string> = [];
  parents.forEach((parent, index) => {
    if (index > 0) {
      links.push(' ← ');
    }
    links.push(
      h('button', { class: 'jp-mlext-link', title: parent.id, onclick: () => openRun(parent.id) }, parent.name)
    );
  });
  return links;
}

/**
 * The model's history, newest first.
 */
export function historyTable(changes: ReadonlyArray<RegistryChange>): HTMLElement {
  if (changes.length === 0) {
    return h('p', { class: 'jp-mlext-muted' }, 'No history.');
  }
  return h(
    'table',
    { class: 'jp-mlext-table jp-mlext-model-history', 'aria-label': 'Alias and tag history' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columnHeader('When', 3),
        columnHeader('Who', 2),
        columnHeader('What', 0),
        columnHeader('Version', 1, 'jp-mlext-number'),
        columnHeader('Change', 1)
      )
    ),
    h(
      'tbody',
      {},
      ...[...changes]
        .reverse()
        .map(change =>
          h(
            'tr',
            { 'data-action': change.action, 'data-seq': change.seq },
            h('td', {}, formatTime(change.at)),
            h('td', { class: 'jp-mlext-history-user', title: userLabel(change.user) }, userLabel(change.user)),
            h('td', {}, `${ACTION_LABELS[change.action] ?? change.action}${change.key ? ` ${change.key}` : ''}`),
            h('td', { class: 'jp-mlext-number' }, change.version === null ? '' : `v${change.version}`),
            h('td', {}, changeText(change))
          )
        )
    )
  );
}

function changeText(change: RegistryChange): string {
  switch (change.action) {
    case 'alias_set':
      return change.previous ? `v${change.previous} → v${change.value}` : `→ v${change.value}`;
    case 'tag_set':
      return change.previous !== null ? `${change.previous} → ${change.value}` : (change.value ?? '');
    case 'tag_deleted':
    case 'alias_deleted':
      return `was ${change.previous}`;
    default:
      return change.value ?? change.previous ?? '';
  }
}
