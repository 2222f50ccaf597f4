import { PipelineRunStep, RunStatus } from '../api/types';
import { formatNumber, formatSeconds, splitArgs, toNumber } from '../common/format';
import { ACTIVE_STATUSES, isActive, runStateBadge, statusBadge, stepLook } from '../common/status';

const STATUSES: RunStatus[] = ['Queued', 'Preparing', 'Running', 'Finalizing', 'Completed', 'Failed', 'Canceled'];

function step(fields: Partial<PipelineRunStep>): PipelineRunStep {
  return {
    name: 's',
    kind: 'script',
    state: 'Pending',
    status: null,
    run_id: null,
    reused_from: null,
    depends_on: [],
    inputs: {},
    outputs: [],
    compute: 'local',
    error: null,
    ...fields
  };
}

describe('run statuses', () => {
  it('a run can be canceled until it has ended', () => {
    expect(ACTIVE_STATUSES).toEqual(['Queued', 'Preparing', 'Running', 'Finalizing']);
    expect(STATUSES.filter(isActive)).toEqual(ACTIVE_STATUSES);
  });

  it.each(STATUSES)('%s shows a glyph and its word beside its colour', status => {
    const badge = statusBadge(status);
    expect(badge.dataset.status).toBe(status);
    expect(badge.classList).toContain(`jp-mlext-status-${status.toLowerCase()}`);
    expect(badge.querySelector('.jp-mlext-status-glyph')?.textContent).not.toBe('');
    expect(badge.querySelector('.jp-mlext-status-text')?.textContent).toBe(status);
  });

  it('every status has its own glyph', () => {
    const glyphs = STATUSES.map(status => statusBadge(status).querySelector('.jp-mlext-status-glyph')?.textContent);
    expect(new Set(glyphs).size).toBe(STATUSES.length);
  });

  it('a compact badge keeps the word for screen readers', () => {
    const badge = statusBadge('Failed', true);
    expect(badge.querySelector('.jp-mlext-visually-hidden')?.textContent).toBe('Failed');
  });

  it('a pipeline run that is canceling still shows as running', () => {
    expect(runStateBadge('Canceling').dataset.status).toBe('Running');
    expect(runStateBadge('Canceled').dataset.status).toBe('Canceled');
    expect(runStateBadge('Completed').dataset.status).toBe('Completed');
  });
});

describe('pipeline step looks', () => {
  it("a submitted step shows its child run's status", () => {
    expect(stepLook(step({ state: 'Queued', status: 'Preparing' }))).toMatchObject({
      key: 'preparing',
      label: 'Preparing'
    });
    expect(stepLook(step({ state: 'Queued', status: null })).key).toBe('queued');
  });

  it('the other states have their own words, or those of the run status they end in', () => {
    expect(stepLook(step({ state: 'Pending' })).label).toBe('Waiting');
    expect(stepLook(step({ state: 'Reused' })).label).toBe('Reused');
    expect(stepLook(step({ state: 'NotStarted' }))).toMatchObject({ key: 'notstarted', label: 'Not started' });
    expect(stepLook(step({ state: 'Completed' }))).toEqual(stepLook(step({ state: 'Queued', status: 'Completed' })));
    expect(stepLook(step({ state: 'Canceled' })).key).toBe('canceled');
  });
});

describe('numbers as the API spells them', () => {
  it('reads the strings for NaN and the infinities', () => {
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('Infinity')).toBe(Infinity);
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(toNumber(0.25)).toBe(0.25);
    expect(toNumber(null)).toBeNaN();
  });

  it('shows them short enough for a table cell', () => {
    expect(formatNumber('NaN')).toBe('NaN');
    expect(formatNumber('-Infinity')).toBe('-Infinity');
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(0.123456789)).toBe('0.12346');
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(null)).toBe('');
  });

  it('shows durations from milliseconds to hours', () => {
    expect(formatSeconds(0.85)).toBe('850 ms');
    expect(formatSeconds(12.34)).toBe('12.3 s');
    expect(formatSeconds(245)).toBe('4m 05s');
    expect(formatSeconds(7380)).toBe('2h 03m');
  });
});

describe('script arguments', () => {
  it('splits them as a shell does for words, quotes and escapes', () => {
    expect(splitArgs(`--lr 0.05 --name "my run" --tag 'a b' c\\ d ""`)).toEqual([
      '--lr',
      '0.05',
      '--name',
      'my run',
      '--tag',
      'a b',
      'c d',
      ''
    ]);
  });

  it('refuses an unclosed quote, saying where it opened', () => {
    expect(() => splitArgs('--name "oops')).toThrow('unclosed " quote at position 7');
  });
});
