import { ServerConnection } from '@jupyterlab/services';

import { MLExtClient } from '../api/client';
import { errorMessage, MLExtAPIError } from '../api/errors';

const BASE = 'http://localhost:8888/lab-base/';

type Answer = { status: number; body?: string; statusText?: string } | Error;

/**
 * A client over a fake `fetch` that records each request and answers `answers` in turn.
 */
function clientAnswering(answers: Answer[], options: Partial<ServerConnection.ISettings> = {}) {
  const requests: Request[] = [];
  const fetch = jest.fn(async (request: Request) => {
    requests.push(request);
    const answer = answers.shift() ?? { status: 200, body: '{}' };
    if (answer instanceof Error) {
      throw answer;
    }
    return new Response(answer.status === 204 ? null : (answer.body ?? ''), {
      status: answer.status,
      statusText: answer.statusText
    });
  });
  const settings = ServerConnection.makeSettings({
    baseUrl: BASE,
    wsUrl: 'ws://localhost:8888/lab-base/',
    token: '',
    fetch: fetch as unknown as typeof window.fetch,
    init: { cache: 'default', credentials: 'same-origin' },
    ...options
  });
  return { client: new MLExtClient(settings), requests };
}

function json(value: unknown): Answer {
  return { status: 200, body: JSON.stringify(value) };
}

afterEach(() => {
  document.cookie = '_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
});

describe('MLExtClient requests', () => {
  it('builds the URL from the base URL, the API prefix and the query, repeating list parameters', async () => {
    const { client, requests } = clientAnswering([json({ runs: [], next_page_token: null })]);
    await client.searchRuns({
      experiment: ['a b', 'c'],
      filter: "status = 'Completed'",
      order_by: ['metrics.loss DESC'],
      max_results: 50
    });
    expect(requests[0].method).toBe('GET');
    expect(requests[0].url).toBe(
      `${BASE}mlext/api/runs?experiment=a%20b&experiment=c&filter=status%20%3D%20%27Completed%27` +
        '&order_by=metrics.loss%20DESC&max_results=50'
    );
  });

  it('leaves out empty query values', async () => {
    const { client, requests } = clientAnswering([json({ runs: [], next_page_token: null })]);
    await client.searchRuns({ filter: '', max_results: 10, page_token: undefined });
    expect(requests[0].url).toBe(`${BASE}mlext/api/runs?max_results=10`);
  });

  it('keeps a name with a slash as one URL segment, and an artifact path with its folders', async () => {
    const { client, requests } = clientAnswering([json({ versions: [] }), json({ key: 'train/loss' })]);
    await client.modelVersions('team/model');
    await client.metricHistory('abc', 'train/loss', 300);
    expect(requests[0].url).toBe(`${BASE}mlext/api/models/team%2Fmodel/versions`);
    expect(requests[1].url).toBe(`${BASE}mlext/api/runs/abc/metrics/train%2Floss?max_points=300`);
    expect(client.artifactUrl('abc', 'out/model file.bin')).toBe(
      `${BASE}mlext/api/runs/abc/artifacts/out/model%20file.bin`
    );
  });

  it('sends a JSON body and the XSRF cookie as the X-XSRFToken header', async () => {
    document.cookie = '_xsrf=xsrf-value';
    const { client, requests } = clientAnswering([json({ id: 'r1', name: 'one' })]);
    await client.submit({ script: 'train.py', args: ['--lr', '0.1'], compute: 'local', experiment: 'exp' });
    const request = requests[0];
    expect(request.method).toBe('POST');
    expect(request.headers.get('X-XSRFToken')).toBe('xsrf-value');
    expect(request.headers.get('Content-Type')).toBe('application/json');
    expect(JSON.parse(await request.text())).toEqual({
      script: 'train.py',
      args: ['--lr', '0.1'],
      compute: 'local',
      experiment: 'exp'
    });
  });

  it('sends the token of a token-authenticated server', async () => {
    const { client, requests } = clientAnswering([json({ status: 'ok' })], { token: 'secret' });
    await client.health();
    expect(requests[0].headers.get('Authorization')).toBe('token secret');
  });

  it('puts the XSRF cookie into download links, which cannot send headers', () => {
    document.cookie = '_xsrf=2|abc';
    const { client } = clientAnswering([]);
    expect(client.modelDownloadUrl('m', 3)).toBe(`${BASE}mlext/api/models/m/versions/3/download?_xsrf=2|abc`);
  });

  it('resumes the change feed after a cursor, with the token when the server wants it in the URL', () => {
    const { client } = clientAnswering([], { token: 'secret', appendToken: true });
    expect(client.eventsUrl(null)).toBe('ws://localhost:8888/lab-base/mlext/api/events?token=secret');
    expect(client.eventsUrl(42)).toBe('ws://localhost:8888/lab-base/mlext/api/events?cursor=42&token=secret');
  });
});

describe('MLExtClient answers', () => {
  it('unwraps list answers', async () => {
    const { client } = clientAnswering([json({ experiments: [{ id: 1, name: 'exp', created_at: 1, run_count: 0 }] })]);
    expect(await client.experiments()).toEqual([{ id: 1, name: 'exp', created_at: 1, run_count: 0 }]);
  });

  it('passes non-finite metric values on as the server spells them', async () => {
    const history = { run_id: 'r', key: 'loss', steps: [0, 1, 2], values: [1.5, 'NaN', '-Infinity'] };
    const { client } = clientAnswering([{ status: 200, body: JSON.stringify(history) }]);
    expect((await client.metricHistory('r', 'loss')).values).toEqual([1.5, 'NaN', '-Infinity']);
  });

  it('answers nothing for 204 No Content', async () => {
    const { client, requests } = clientAnswering([{ status: 204 }]);
    await expect(client.deleteModelAlias('m', 'production')).resolves.toBeUndefined();
    expect(requests[0].method).toBe('DELETE');
    expect(requests[0].url).toBe(`${BASE}mlext/api/models/m/aliases/production`);
  });

  it("turns the server's error body into an MLExtAPIError with its status, message and field", async () => {
    const { client } = clientAnswering([
      { status: 400, body: JSON.stringify({ error: "unknown field 'foo'", field: 'filter' }) }
    ]);
    const error = await client.searchRuns({ filter: 'foo = 1' }).catch(reason => reason);
    expect(error).toBeInstanceOf(MLExtAPIError);
    expect(error).toMatchObject({ status: 400, message: "unknown field 'foo'", field: 'filter' });
    expect(errorMessage(error)).toBe("unknown field 'foo'");
  });

  it('falls back on the status line when the error body is not the API error', async () => {
    const { client } = clientAnswering([{ status: 502, statusText: 'Bad Gateway', body: '<html>proxy</html>' }]);
    const error = await client.pipelines().catch(reason => reason);
    expect(error).toMatchObject({ status: 502, message: '502 Bad Gateway', field: undefined });
  });

  it('refuses a success answer that is not JSON', async () => {
    const { client } = clientAnswering([{ status: 200, body: 'not json' }]);
    await expect(client.health()).rejects.toThrow(`${BASE}mlext/api/health did not answer JSON`);
  });

  it('says the server cannot be reached when the request fails on the network', async () => {
    const { client } = clientAnswering([new TypeError('Failed to fetch')]);
    const error = await client.health().catch(reason => reason);
    expect(error).toBeInstanceOf(ServerConnection.NetworkError);
    expect(errorMessage(error)).toBe('the Jupyter server cannot be reached (Failed to fetch)');
  });
});
