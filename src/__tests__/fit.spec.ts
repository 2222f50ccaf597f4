import { Signal } from '@lumino/signaling';

import { StreamState } from '../api/events';
import { LiveIndicator } from '../common/connection';
import { fitColumns, fitTable } from '../common/fit';
import { clipped, shortPath, truncateMiddle } from '../common/truncate';
import { describeSource, underRoot } from '../runs/source';
import { zoomToFit } from '../pipelines/graph';

describe('fitColumns', () => {
  const columns = [
    { priority: 0, width: 80 }, // name
    { priority: 2, width: 120 }, // created
    { priority: 1, width: 60 }, // aliases
    { priority: 3, width: 40 }, // size
    { priority: 1, width: 50 } // busy
  ];

  it('shows everything when everything fits', () => {
    expect(fitColumns(columns, 350)).toEqual([true, true, true, true, true]);
  });

  it('drops the least important columns first, the rightmost within a priority', () => {
    expect(fitColumns(columns, 310)).toEqual([true, true, true, false, true]);
    expect(fitColumns(columns, 200)).toEqual([true, false, true, false, true]);
    expect(fitColumns(columns, 150)).toEqual([true, false, true, false, false]);
  });

  it('never drops an essential column, even when it alone is too wide', () => {
    expect(fitColumns(columns, 10)).toEqual([true, false, false, false, false]);
  });

  it('does not let a narrower, less important column take the place of a wider one', () => {
    // 80 + 60 + 50 = 190; the 120 px column does not fit in 230, so the 40 px one (priority 3) stays hidden.
    expect(fitColumns(columns, 230)).toEqual([true, false, true, false, true]);
  });
});

describe('fitTable', () => {
  function table(widths: number[], priorities: (number | undefined)[]): HTMLTableElement {
    const node = document.createElement('table');
    const head = node.createTHead().insertRow();
    widths.forEach((width, index) => {
      const cell = document.createElement('th');
      cell.textContent = `c${index}`;
      if (priorities[index] !== undefined) {
        cell.dataset.priority = String(priorities[index]);
      }
      cell.getBoundingClientRect = () => ({ width }) as DOMRect;
      head.appendChild(cell);
    });
    const row = node.createTBody().insertRow();
    widths.forEach((_, index) => (row.insertCell().textContent = `v${index}`));
    const empty = node.tBodies[0].insertRow();
    empty.insertCell().colSpan = widths.length;
    Object.defineProperty(node, 'scrollWidth', { get: () => widths.reduce((a, b) => a + b, 0) });
    return node;
  }

  it('hides the columns that do not fit and lists them in the row tooltip', () => {
    const node = table([100, 100, 100], [0, 2, 1]);
    expect(fitTable(node, 210)).toEqual(['c1']);
    const [body] = Array.from(node.tBodies[0].rows);
    expect(Array.from(body.cells).map(cell => cell.classList.contains('jp-mlext-col-hidden'))).toEqual([
      false,
      true,
      false
    ]);
    expect(body.title).toBe('c1: v1');
    // Wider again: everything shows and the tooltip is gone.
    expect(fitTable(node, 400)).toEqual([]);
    expect(node.querySelectorAll('.jp-mlext-col-hidden')).toHaveLength(0);
    expect(body.hasAttribute('title')).toBe(false);
  });

  it('leaves columns without a priority to scrolling', () => {
    const node = table([100, 100, 300], [0, 1, undefined]);
    expect(fitTable(node, 250)).toEqual([]);
    expect(fitTable(node, 150)).toEqual(['c1']);
  });
});

describe('truncation', () => {
  it('cuts text in its middle, keeping both ends', () => {
    expect(truncateMiddle('abcdef', 6)).toBe('abcdef');
    expect(truncateMiddle('abcdefghij', 7)).toBe('abc…hij');
    expect(truncateMiddle('abcdefghij', 7)).toHaveLength(7);
    expect(truncateMiddle('abc', 1)).toBe('…');
  });

  it('shortens a path from its start, keeping the file name', () => {
    expect(shortPath('examples/quickstart.ipynb', 40)).toBe('examples/quickstart.ipynb');
    expect(shortPath('runs:/febc35189a254021ba51869da053d514/outputs/model.json', 30)).toBe('…/outputs/model.json');
    const long = shortPath('a/very-long-notebook-name-that-goes-on.ipynb', 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith('.ipynb')).toBe(true);
  });

  it('a clipped span carries its full text as its tooltip', () => {
    const span = clipped('a long experiment name', 'extra');
    expect(span.title).toBe('a long experiment name');
    expect(span.textContent).toBe('a long experiment name');
    expect(span.className).toBe('jp-mlext-clip extra');
  });
});

describe('run sources', () => {
  it('names the notebook relative to the Jupyter root, and the cell', () => {
    const source = describeSource(
      { source_type: 'notebook', source_name: '/home/me/project/examples/wine.ipynb In[4]' },
      '/home/me/project'
    );
    expect(source).toEqual({ label: 'notebook examples/wine.ipynb, cell In[4]', path: 'examples/wine.ipynb' });
  });

  it('keeps a notebook outside the root as it is, without a link', () => {
    expect(describeSource({ source_type: 'notebook', source_name: '/elsewhere/a.ipynb In[2]' }, '/root')).toEqual({
      label: 'notebook /elsewhere/a.ipynb, cell In[2]',
      path: null
    });
    expect(underRoot('/rootless/a.ipynb', '/root')).toBeNull();
    expect(underRoot('/root/a.ipynb', '/root/')).toBe('a.ipynb');
    expect(underRoot('sub/a.ipynb', '/root')).toBe('sub/a.ipynb');
  });

  it('says when the kernel did not know its notebook, and leaves other sources alone', () => {
    expect(describeSource({ source_type: 'notebook', source_name: 'In[3]' }, '/r')?.label).toBe(
      'notebook (its path was not known to the kernel), cell In[3]'
    );
    expect(describeSource({ source_type: 'job', source_name: 'train.py' }, '/r')).toEqual({
      label: 'job: train.py',
      path: null
    });
    expect(describeSource({ source_type: null, source_name: null }, '/r')).toBeNull();
  });
});

describe('zoomToFit', () => {
  it('shrinks a graph to its area, down to a half, and never enlarges one', () => {
    expect(zoomToFit(300, 600)).toBe(1);
    expect(zoomToFit(400, 300)).toBe(0.75);
    expect(zoomToFit(1000, 300)).toBe(0.5);
    expect(zoomToFit(400, 0)).toBe(1);
  });
});

describe('LiveIndicator', () => {
  it('follows the stream state with a word and an accessible label, until disposed', () => {
    const stream = { state: 'connecting' as StreamState, stateChanged: new Signal<unknown, StreamState>({}) };
    const live = new LiveIndicator(stream);
    expect(live.node.getAttribute('role')).toBe('status');
    expect(live.node.dataset.state).toBe('connecting');
    stream.stateChanged.emit('open');
    expect(live.node.textContent).toBe('live');
    expect(live.node.getAttribute('aria-label')).toBe('Live updates are on');
    stream.stateChanged.emit('closed');
    expect(live.node.getAttribute('aria-label')).toBe('Live updates are paused: reconnecting to the server');
    live.dispose();
    stream.stateChanged.emit('open');
    expect(live.node.dataset.state).toBe('closed');
  });
});
