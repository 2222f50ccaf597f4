import { ServerConnection } from '@jupyterlab/services';

import { MLExtClient } from '../api/client';
import { EventStream, StreamState } from '../api/events';
import { ChangeEvent } from '../api/types';

/**
 * A WebSocket the test plays the server for: `ready`, `event`, `drop`.
 */
class MockSocket {
  static opened: MockSocket[] = [];

  constructor(readonly url: string) {
    MockSocket.opened.push(this);
  }

  onmessage: ((message: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  closed = false;

  send(data: unknown): void {
    this.onmessage?.({ data: typeof data === 'string' ? data : JSON.stringify(data) });
  }

  ready(cursor: number): void {
    this.send({ type: 'ready', cursor });
  }

  event(seq: number, runId = 'r1'): void {
    this.send({
      type: 'event',
      seq,
      at: seq,
      kind: 'status',
      run_id: runId,
      data: { status: 'Running', previous: 'Queued' }
    });
  }

  drop(): void {
    this.onclose?.();
  }

  close(): void {
    this.closed = true;
  }
}

function lastSocket(): MockSocket {
  return MockSocket.opened[MockSocket.opened.length - 1];
}

describe('EventStream', () => {
  let stream: EventStream;
  let received: ChangeEvent[];
  let states: StreamState[];
  let resumed: number;

  beforeEach(() => {
    jest.useFakeTimers();
    MockSocket.opened = [];
    const settings = ServerConnection.makeSettings({
      wsUrl: 'ws://host/',
      token: '',
      WebSocket: MockSocket as unknown as typeof WebSocket
    });
    stream = new EventStream(new MLExtClient(settings));
    received = [];
    states = [];
    resumed = 0;
    stream.received.connect((_, event) => received.push(event));
    stream.stateChanged.connect((_, state) => states.push(state));
    stream.resumed.connect(() => (resumed += 1));
  });

  afterEach(() => {
    stream.dispose();
    jest.useRealTimers();
  });

  it('connects once, without a cursor, and is open once the server is ready', () => {
    stream.connect();
    stream.connect();
    expect(MockSocket.opened.map(socket => socket.url)).toEqual(['ws://host/mlext/api/events']);
    expect(stream.state).toBe('connecting');
    lastSocket().ready(7);
    expect(stream.state).toBe('open');
    expect(states).toEqual(['connecting', 'open']);
    expect(resumed).toBe(0);
  });

  it('passes events on', () => {
    stream.connect();
    lastSocket().ready(7);
    lastSocket().event(8, 'a');
    lastSocket().event(9, 'b');
    expect(received.map(event => [event.seq, event.run_id])).toEqual([
      [8, 'a'],
      [9, 'b']
    ]);
  });

  it('reconnects after a drop from the last event it received, and says it resumed', () => {
    stream.connect();
    lastSocket().ready(7);
    lastSocket().event(8);
    lastSocket().drop();
    expect(stream.state).toBe('closed');
    jest.advanceTimersByTime(499);
    expect(MockSocket.opened).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(lastSocket().url).toBe('ws://host/mlext/api/events?cursor=8');
    lastSocket().event(9);
    lastSocket().ready(9);
    expect(received.map(event => event.seq)).toEqual([8, 9]);
    expect(resumed).toBe(1);
    expect(stream.state).toBe('open');
  });

  it('resumes from the cursor of the ready message when no event came since', () => {
    stream.connect();
    lastSocket().ready(41);
    lastSocket().drop();
    jest.advanceTimersByTime(500);
    expect(lastSocket().url).toBe('ws://host/mlext/api/events?cursor=41');
  });

  it('waits longer after each failed attempt, at most 10 s, and starts again at 0.5 s once connected', () => {
    stream.connect();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      const before = MockSocket.opened.length;
      lastSocket().drop();
      let waited = 0;
      while (MockSocket.opened.length === before) {
        jest.advanceTimersByTime(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    lastSocket().ready(3);
    lastSocket().drop();
    jest.advanceTimersByTime(500);
    expect(MockSocket.opened).toHaveLength(9);
  });

  it('ignores messages it cannot read', () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    stream.connect();
    lastSocket().send('not json');
    lastSocket().ready(1);
    lastSocket().event(2);
    expect(received.map(event => event.seq)).toEqual([2]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('stops reconnecting once disposed', () => {
    stream.connect();
    const socket = lastSocket();
    lastSocket().ready(1);
    stream.dispose();
    expect(socket.closed).toBe(true);
    socket.drop();
    jest.advanceTimersByTime(20000);
    expect(MockSocket.opened).toHaveLength(1);
  });
});
