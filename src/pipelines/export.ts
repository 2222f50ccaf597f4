/**
 * "Export to pipeline" on a notebook (command, palette and notebook toolbar):
 * save the notebook, have the server write its pipeline folder (cells tagged
 * `step:<name>` become steps), and say what was written, or why not (e.g. a
 * variable that cannot be passed between steps).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, ICommandPalette, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import { errorMessage } from '../api/errors';
import { h } from '../common/dom';
import { pipelinesIcon } from '../common/icons';
import { addToPalette } from '../common/palette';
import { CommandIDs, IMLExt } from '../tokens';

const STEP_TAG = 'step:';
const TOOLBAR_ITEM = 'mlextExportPipeline';

/**
 * The steps a notebook defines: the names of its `step:<name>` cell tags, in
 * cell order (the export turns each into one step).
 */
export function notebookSteps(panel: NotebookPanel): string[] {
  const steps: string[] = [];
  const cells = panel.content.model?.cells;
  if (!cells) {
    return steps;
  }
  for (let index = 0; index < cells.length; index++) {
    const cell = cells.get(index);
    const tags = cell.type === 'code' ? cell.getMetadata('tags') : undefined;
    for (const tag of Array.isArray(tags) ? tags : []) {
      if (typeof tag === 'string' && tag.startsWith(STEP_TAG)) {
        steps.push(tag.slice(STEP_TAG.length));
        break;
      }
    }
  }
  return steps;
}

/**
 * Save `panel`, export it, and show the folder written or the refusal.
 * Resolves to the folder (relative to the Jupyter root), or null.
 */
export async function exportNotebook(service: IMLExt, panel: NotebookPanel): Promise<string | null> {
  const path = panel.context.path;
  let folder: string;
  try {
    await panel.context.save();
    folder = (await service.client.exportPipeline(path)).folder;
  } catch (reason) {
    await showErrorMessage('Export to pipeline failed', `${path}: ${errorMessage(reason)}`);
    return null;
  }
  const steps = notebookSteps(panel);
  const body = new Widget({
    node: h(
      'div',
      { class: 'jp-mlext-export-result' },
      h(
        'p',
        {},
        'Wrote the pipeline folder ',
        h('code', { class: 'jp-mlext-export-folder' }, `${folder}/`),
        ' (a path relative to the Jupyter root folder, the top of the file browser).'
      ),
      h(
        'p',
        {},
        `${steps.length} ${steps.length === 1 ? 'step' : 'steps'}: `,
        h('span', { class: 'jp-mlext-export-steps' }, steps.join(' → '))
      ),
      h(
        'p',
        { class: 'jp-mlext-muted' },
        'Run it with ',
        h('code', {}, `mlext pipeline run ${folder}`),
        ', or publish it with ',
        h('code', {}, `mlext pipeline publish ${folder}`),
        ' to run it from the Pipelines panel (from a terminal in the Jupyter root folder).'
      )
    )
  });
  await showDialog({ title: 'Exported to pipeline', body, buttons: [Dialog.okButton()] });
  return folder;
}

/**
 * Register the command, put it in the palette and on every notebook's
 * toolbar (the button names its notebook, so it exports that one).
 */
export function addExportPipeline(
  app: JupyterFrontEnd,
  service: IMLExt,
  tracker: INotebookTracker,
  palette: ICommandPalette | null
): void {
  const notebookFor = (args: { [key: string]: unknown }): NotebookPanel | null => {
    const path = typeof args.path === 'string' ? args.path : null;
    return path === null ? tracker.currentWidget : (tracker.find(panel => panel.context.path === path) ?? null);
  };
  app.commands.addCommand(CommandIDs.exportPipeline, {
    label: 'Export Notebook to Pipeline',
    caption: 'Write a pipeline folder from the cells tagged step:<name> (the parameters cell gives its params)',
    icon: pipelinesIcon,
    isEnabled: args => notebookFor(args) !== null,
    execute: async args => {
      const panel = notebookFor(args);
      if (panel === null) {
        await showErrorMessage('Export to pipeline', 'Open a notebook first.');
        return null;
      }
      return exportNotebook(service, panel);
    }
  });
  app.docRegistry.addWidgetExtension('Notebook', {
    createNew: (panel: NotebookPanel) => {
      const button = new ToolbarButton({
        icon: pipelinesIcon,
        label: 'Export to pipeline',
        tooltip: 'Export this notebook to a pipeline folder (cells tagged step:<name> become steps)',
        onClick: () => void app.commands.execute(CommandIDs.exportPipeline, { path: panel.context.path })
      });
      panel.toolbar.insertItem(10, TOOLBAR_ITEM, button);
      return button;
    }
  });
  addToPalette(palette, [CommandIDs.exportPipeline]);
}
