/**
 * What made a run, for people: a `%%mlrun` cell records `source_name` as "<notebook path> In[N]" (the path the
 * kernel was given by the Jupyter server, absolute) or "In[N]" when the kernel did not know its notebook.
 */
import { RunInfo } from '../api/types';

export interface IRunSource {
  /**
   * The text shown, e.g. "notebook examples/quickstart.ipynb, cell In[4]".
   */
  label: string;
  /**
   * The notebook's path relative to the Jupyter root (to open it), when the run names one under the root.
   */
  path: string | null;
}

const CELL = /^(.*?)\s*(In\[\d*\])$/;

/**
 * `path` relative to the Jupyter root `root` (both with `/` separators); null when it is outside the root.
 * A relative path is already relative to the root.
 */
export function underRoot(path: string, root: string): string | null {
  if (!path.startsWith('/')) {
    return path.replace(/^\.\//, '');
  }
  const prefix = root.replace(/\/+$/, '');
  if (prefix === '') {
    return path.replace(/^\/+/, '');
  }
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : null;
}

/**
 * The run's source as shown in its details, with the notebook to open when there is one.
 */
export function describeSource(run: Pick<RunInfo, 'source_type' | 'source_name'>, root: string): IRunSource | null {
  const type = run.source_type;
  const name = run.source_name;
  if (!type && !name) {
    return null;
  }
  if (type !== 'notebook' || !name) {
    return { label: [type, name].filter(Boolean).join(': '), path: null };
  }
  const match = CELL.exec(name);
  const notebook = match ? match[1] : name;
  const cell = match ? match[2] : null;
  if (!notebook) {
    return { label: `notebook (its path was not known to the kernel), cell ${cell}`, path: null };
  }
  const relative = underRoot(notebook, root);
  return {
    label: `notebook ${relative ?? notebook}${cell ? `, cell ${cell}` : ''}`,
    path: relative
  };
}
