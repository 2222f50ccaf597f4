import { MLExtAPIError } from '../api/errors';
import { ModelVersion, RegisteredModel } from '../api/types';
import { ModelsModel } from '../models/model';
import { fakeService, flush, IFakeService, makeRun } from './utils';

jest.mock('../api/client');

const RELOAD_MS = 300;

function registered(name: string, versions: number): RegisteredModel {
  return { name, created_at: 1, latest_version: versions, version_count: versions, aliases: {} };
}

function version(name: string, number: number, tags: { [key: string]: string } = {}): ModelVersion {
  return {
    name,
    version: number,
    run_id: `run-${name}-${number}`,
    source: 'runs:/x/model',
    stored: 'copy',
    location: `models/${name}/${number}`,
    framework: null,
    description: null,
    user: 'ann',
    created_at: number,
    size: 10,
    file_count: 1,
    tags,
    properties: {},
    aliases: []
  };
}

describe('ModelsModel', () => {
  let service: IFakeService;
  let model: ModelsModel;

  beforeEach(() => {
    jest.useFakeTimers();
    service = fakeService();
    const client = service.client;
    client.models.mockResolvedValue([registered('churn', 2), registered('fraud', 1)]);
    client.modelVersions.mockImplementation(async name =>
      name === 'churn' ? [version('churn', 2), version('churn', 1)] : [version('fraud', 1)]
    );
    client.modelHistory.mockResolvedValue([]);
    client.modelLineage.mockImplementation(async (name, number) => ({
      version: version(name, number),
      run: makeRun(`run-${name}-${number}`),
      parents: []
    }));
    model = new ModelsModel(service);
  });

  afterEach(() => {
    model.dispose();
    jest.useRealTimers();
  });

  it('shows the first model, its newest version and that version’s lineage', async () => {
    await model.refresh();
    expect(model.models.map(m => m.name)).toEqual(['churn', 'fraud']);
    expect(model.selectedModel).toBe('churn');
    expect(model.versions.map(v => v.version)).toEqual([2, 1]);
    expect(model.selectedVersion?.version).toBe(2);
    expect(model.lineage?.run?.id).toBe('run-churn-2');
    expect(model.loading).toBe(false);
  });

  it('keeps the selected model and version across a refresh', async () => {
    await model.refresh();
    await model.selectVersion(1);
    expect(model.lineage?.version.version).toBe(1);
    await model.refresh();
    expect(model.selectedModel).toBe('churn');
    expect(model.selectedVersion?.version).toBe(1);
  });

  it('selecting another model shows its newest version', async () => {
    await model.refresh();
    await model.selectVersion(1);
    await model.selectModel('fraud');
    expect(model.versions.map(v => v.name)).toEqual(['fraud']);
    expect(model.selectedVersion?.version).toBe(1);
    expect(service.client.modelLineage).toHaveBeenLastCalledWith('fraud', 1);
  });

  it('searches by name on the server', async () => {
    await model.setSearch('  chu ');
    expect(model.search).toBe('chu');
    expect(service.client.models).toHaveBeenCalledWith('chu');
  });

  it('searches by tag: the models with a version carrying every tag, whose name has the other words', async () => {
    service.client.searchModelVersions.mockResolvedValue([version('churn', 1, { area: 'health' })]);
    await model.setSearch('area=health CHU');
    expect(service.client.searchModelVersions).toHaveBeenCalledWith(['area=health']);
    expect(model.models.map(m => m.name)).toEqual(['churn']);
    await model.setSearch('area=health fra');
    expect(model.models).toHaveLength(0);
    expect(model.selectedModel).toBeNull();
    expect(model.versions).toHaveLength(0);
  });

  it('says why the registry could not be loaded', async () => {
    service.client.models.mockRejectedValueOnce(new MLExtAPIError(500, 'disk I/O error'));
    await model.refresh();
    expect(model.error).toBe('Loading the model registry failed: disk I/O error');
    await model.refresh();
    expect(model.error).toBeNull();
  });

  it('a change to the selected model reloads its versions and history, once per burst', async () => {
    await model.refresh();
    service.client.modelVersions.mockResolvedValue([version('churn', 3), version('churn', 2), version('churn', 1)]);
    service.fakeEvents.emit({
      kind: 'model',
      run_id: null,
      data: { name: 'churn', version: 3, action: 'registered', key: null }
    });
    service.fakeEvents.emit({
      kind: 'model',
      run_id: null,
      data: { name: 'churn', version: 3, action: 'alias_set', key: 'production' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.models).toHaveBeenCalledTimes(2);
    expect(service.client.modelHistory).toHaveBeenCalledTimes(2);
    expect(model.versions.map(v => v.version)).toEqual([3, 2, 1]);
    expect(model.selectedVersion?.version).toBe(2);
  });

  it('a change to another model reloads only the list', async () => {
    await model.refresh();
    service.fakeEvents.emit({
      kind: 'model',
      run_id: null,
      data: { name: 'fraud', version: 1, action: 'tag_set', key: 'owner' }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.models).toHaveBeenCalledTimes(2);
    expect(service.client.modelVersions).toHaveBeenCalledTimes(1);
  });

  it('moves on to the first model when the selected one disappears', async () => {
    await model.refresh();
    service.client.models.mockResolvedValue([registered('fraud', 1)]);
    service.fakeEvents.emit({
      kind: 'model',
      run_id: null,
      data: { name: 'churn', version: 1, action: 'deleted', key: null }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(model.selectedModel).toBe('fraud');
  });

  it('ignores run events and registry changes before it was shown', async () => {
    service.fakeEvents.emit({
      kind: 'model',
      run_id: null,
      data: { name: 'churn', version: 1, action: 'registered', key: null }
    });
    jest.advanceTimersByTime(RELOAD_MS);
    expect(service.client.models).not.toHaveBeenCalled();
    await model.refresh();
    service.fakeEvents.emit({ kind: 'status', run_id: 'r', data: { status: 'Completed', previous: 'Running' } });
    jest.advanceTimersByTime(RELOAD_MS);
    await flush();
    expect(service.client.models).toHaveBeenCalledTimes(1);
  });

  it('sets an alias and changes tags on the selected model, then shows the result', async () => {
    await model.refresh();
    await model.setAlias('production', 1);
    expect(service.client.setModelAlias).toHaveBeenCalledWith('churn', 'production', 1);
    await model.updateTags(2, { set: { owner: 'ann' }, delete: ['stale'] });
    expect(service.client.updateModelTags).toHaveBeenCalledWith('churn', 2, {
      set: { owner: 'ann' },
      delete: ['stale']
    });
    await model.deleteAlias('production');
    expect(service.client.deleteModelAlias).toHaveBeenCalledWith('churn', 'production');
    expect(service.client.models).toHaveBeenCalledTimes(4);
  });

  it('passes a refused change on to the dialog that asked for it', async () => {
    await model.refresh();
    service.client.setModelAlias.mockRejectedValueOnce(
      new MLExtAPIError(400, 'alias must start with a letter', 'alias')
    );
    await expect(model.setAlias('1st', 1)).rejects.toThrow('alias must start with a letter');
  });
});
