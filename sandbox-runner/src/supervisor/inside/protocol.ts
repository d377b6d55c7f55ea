/** The supervisor's side of the protocol: the workspace root, the error type, frame output, helpers. */
import { encodeFrame } from '../frames.ts';

export const WORKSPACE = '/workspace';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

/** A refusal with a code the runner maps to its contract's error codes (see ../session.ts). */
export class SupervisorError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Writes one frame to stdout, the runner's end of the attach stream. */
export function send(type: number, channel: number, payload: Buffer): void {
  // stdout is a pipe: writes are synchronous on Linux, so frames never interleave and memory stays flat.
  process.stdout.write(encodeFrame(type, channel, payload));
}
export const sendJson = (type: number, channel: number, value: Obj) =>
  send(type, channel, Buffer.from(JSON.stringify(value)));
export const log = (msg: string) => process.stderr.write(`supervisor: ${msg}\n`);

export function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
