/**
 * A tunnel to a port inside the sandbox, on the runner's side of the supervisor's stream (no engine
 * needed: the attach stream is a pair of in-memory streams speaking Docker's framing).
 */
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, FRAME } from '../../src/supervisor/frames.ts';
import { SupervisorSession } from '../../src/supervisor/session.ts';

/** One write of the container's stdout as the engine frames it on an attach stream without a TTY. */
function dockerStdout(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(1, 0);
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** An attach stream whose far end plays the supervisor: it answers every request with ok. */
function fakeSupervisor(): {
  stream: Duplex;
  send: (type: number, channel: number, payload?: Buffer) => void;
} {
  const stream: Duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      requests.push(chunk);
      done();
    },
  });
  const send = (type: number, channel: number, payload: Buffer = Buffer.alloc(0)) => {
    stream.push(dockerStdout(encodeFrame(type, channel, payload)));
  };
  const requests = new FrameReader((type, channel) => {
    if (type === FRAME.REQ) send(FRAME.RES, channel, Buffer.from(JSON.stringify({ ok: true })));
  });
  return { stream, send };
}

describe('a preview tunnel', () => {
  it('hands over everything the app sent before it closed, even when it is read later', async () => {
    const { stream, send } = fakeSupervisor();
    const session = new SupervisorSession(stream);
    const tunnel = await session.connect(3000);
    // The app answers 2 MiB and closes at once, before the runner's side reads any of it.
    const chunk = Buffer.alloc(65536, 97);
    for (let i = 0; i < 32; i++) send(FRAME.TUN_DATA, tunnel.channel, chunk);
    send(FRAME.TUN_END, tunnel.channel);
    send(FRAME.TUN_CLOSE, tunnel.channel);
    await new Promise((resolve) => setImmediate(resolve));

    let received = 0;
    const closed = tunnel.destroyed
      ? Promise.resolve()
      : new Promise((resolve) => tunnel.once('close', resolve));
    tunnel.on('data', (data: Buffer) => (received += data.length));
    await closed;
    expect(received).toBe(32 * 65536);
    expect(tunnel.destroyed).toBe(true);
  });
});
