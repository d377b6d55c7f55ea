import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventBody, ServerEvent } from '@samokoder/workers/protocol';
import { openTestPage, type TestPage } from '../../../test/browser-page.ts';
import { LiveTestServer } from '../../../test/live-server.ts';
import { LiveConnection, type LiveHandlers } from './connection.svelte.ts';
import { ProjectLiveState } from './project-state.svelte.ts';

/** Waits for a condition (a busy machine may take seconds); never a fixed sleep. */
const until = <T>(read: () => T) => expect.poll(read, { timeout: 15_000, interval: 20 });

/** The shortest wait before a reconnect: the first backoff step (250 ms) less its jitter (20 %). */
const MIN_FIRST_BACKOFF_MS = 200;

const message = (n: number): EventBody => ({
  type: 'message',
  messageId: `m${n}`,
  role: 'agent',
  agent: 'SpecWriter',
  stepId: null,
  text: `message ${n}`,
});

let server: LiveTestServer;
let page: TestPage;
let connection: LiveConnection | undefined;

beforeEach(async () => {
  server = await new LiveTestServer().start();
  page = openTestPage(server.origin);
});

afterEach(async () => {
  connection?.close();
  connection = undefined;
  await server.close();
  vi.unstubAllGlobals();
});

/** A viewer as the workspace wires one: the connection feeding the project's live state. */
function view(handlers: Partial<LiveHandlers> = {}) {
  const state = new ProjectLiveState();
  const seen: ServerEvent[] = [];
  const resets: number[] = [];
  connection = new LiveConnection(server.liveUrl, {
    hello: (frame) => state.hello(frame),
    event: (event) => {
      seen.push(event);
      state.apply(event);
    },
    synced: () => (state.synced = true),
    error: () => {},
    reset: () => {
      resets.push(seen.length);
      state.reset();
    },
    ...handlers,
  });
  connection.start();
  return { connection, state, seen, resets };
}

const texts = (state: ProjectLiveState) =>
  state.conversation.map((item) => (item.kind === 'message' ? item.text : item.kind));

describe('the live connection', { timeout: 30_000 }, () => {
  it('reconnects after a drop, waiting a backoff first, and resumes after the last event it saw', async () => {
    for (const n of [1, 2, 3]) server.append(message(n));
    const { connection, state, seen } = view();
    await until(() => connection.state).toBe('live');
    server.append(message(4));
    await until(() => state.lastSeq).toBe(4);

    const droppedAt = Date.now();
    server.dropAll();
    // What happens while the viewer is away must reach it when it is back.
    server.append(message(5));
    server.append(message(6));

    await until(() => server.connections).toBe(2);
    await until(() => connection.state).toBe('live');
    expect(server.upgradeTimes[1]! - droppedAt).toBeGreaterThanOrEqual(MIN_FIRST_BACKOFF_MS);
    expect(server.messages('resume').map((r) => [r.connection, r.message.after])).toEqual([
      [1, 0],
      [2, 4],
    ]);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(texts(state)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `message ${n}`));
  });

  it('asks for batches and shows the events of one batch in order, each once', async () => {
    for (const n of [1, 2]) server.append(message(n));
    const { connection, state, seen } = view();
    await until(() => connection.state).toBe('live');
    expect(server.messages('resume').map((r) => r.message)).toEqual([
      { type: 'resume', after: 0, batch: true },
    ]);
    server.appendTogether([message(3), message(4), message(5)]);
    await until(() => state.lastSeq).toBe(5);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(texts(state)).toEqual([1, 2, 3, 4, 5].map((n) => `message ${n}`));
  });

  it('shows each event once when a replay overlaps what it already has', async () => {
    for (const n of [1, 2, 3, 4]) server.append(message(n));
    // The server replays from 3 events before what the client asks for.
    server.replayOverlap = 3;
    const { connection, state } = view();
    await until(() => connection.state).toBe('live');
    server.dropAll();
    server.append(message(5));
    await until(() => server.connections).toBe(2);
    await until(() => connection.state).toBe('live');
    server.append(message(6));
    await until(() => state.lastSeq).toBe(6);
    expect(texts(state)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `message ${n}`));
  });

  it('follows a command and a streamed answer across a drop without repeating their text', async () => {
    server.append({ type: 'command.start', commandId: 'c1', stepId: 1, command: 'npm test' });
    server.append({ type: 'command.output', commandId: 'c1', stream: 'stdout', offset: 0, data: 'one\n' });
    server.append({ type: 'stream.start', streamId: 's1', stepId: 1, agent: 'Developer' });
    server.append({ type: 'stream.delta', streamId: 's1', offset: 0, text: 'Hello' });
    server.replayOverlap = 10;
    const { connection, state } = view();
    await until(() => connection.state).toBe('live');
    server.dropAll();
    server.append({ type: 'command.output', commandId: 'c1', stream: 'stdout', offset: 4, data: 'two\n' });
    server.append({ type: 'stream.delta', streamId: 's1', offset: 5, text: ', world' });
    await until(() => server.connections).toBe(2);
    await until(() => state.lastSeq).toBe(6);
    expect(state.terminal.text()).toContain('one\ntwo\n');
    expect(state.terminal.text().match(/one/g)).toHaveLength(1);
    expect(state.conversation).toMatchObject([{ kind: 'stream', text: 'Hello, world' }]);
  });

  it('waits longer after each refused attempt, asks whether to go on after the second, then connects', async () => {
    server.append(message(1));
    server.refuseUpgrades = 2;
    const checks: number[] = [];
    const { connection, state } = view({
      check: async () => {
        checks.push(server.upgrades);
        return true;
      },
    });
    await until(() => connection.state).toBe('live');
    expect(server.upgrades).toBe(3);
    expect(state.lastSeq).toBe(1);
    expect(checks).toEqual([2]);
    // Backoff after one failure: 1 s, after two: 2 s (each less its 20 % jitter at most).
    const [first, second, third] = server.upgradeTimes as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(800);
    expect(third - second).toBeGreaterThanOrEqual(1600);
  });

  it('gives up for good when the check says why (signed out, project gone)', async () => {
    server.refuseUpgrades = 100;
    const { connection } = view({ check: async () => 'You are signed out.' });
    await until(() => connection.state).toBe('closed');
    expect(connection.closedReason).toBe('You are signed out.');
    expect(server.upgrades).toBe(2);
  });

  it('goes offline with the browser and catches up as soon as the network is back', async () => {
    server.append(message(1));
    const { connection, state } = view();
    await until(() => connection.state).toBe('live');
    page.goOffline();
    expect(connection.state).toBe('offline');
    await until(() => server.open).toBe(0);
    server.append(message(2));
    page.goOnline();
    await until(() => connection.state).toBe('live');
    expect(server.messages('resume').at(-1)?.message.after).toBe(1);
    await until(() => texts(state)).toEqual(['message 1', 'message 2']);
  });

  it('starts over when the log is shorter than what it saw (the project was reset)', async () => {
    for (const n of [1, 2, 3]) server.append(message(n));
    const { connection, state, resets } = view();
    await until(() => state.lastSeq).toBe(3);
    server.log.length = 0;
    server.append(message(10));
    server.dropAll();
    await until(() => server.connections).toBe(2);
    await until(() => texts(state)).toEqual(['message 10']);
    await until(() => connection.state).toBe('live');
    expect(resets).toEqual([3]);
  });

  it('refuses to send while not connected, so the caller can say so', async () => {
    server.refuseUpgrades = 100;
    const { connection } = view({ check: async () => true });
    await until(() => server.upgrades).toBeGreaterThan(0);
    expect(connection.send({ type: 'control', action: 'pause' })).toBe(false);
    server.refuseUpgrades = 0;
    connection.reconnectNow();
    await until(() => connection.state).toBe('live');
    expect(connection.send({ type: 'control', action: 'pause' })).toBe(true);
    await until(() => server.messages('control').length).toBe(1);
  });
});
