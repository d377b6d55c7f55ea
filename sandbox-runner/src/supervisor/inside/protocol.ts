/** Supervisor side of the framing (mirrors ../frames.ts), the error type, and output helpers. */

export const WORKSPACE = '/workspace';
export const HEADER = 9; // u8 type, u32 channel, u32 length

export const T = {
  REQ: 1,
  RES: 2,
  EVENT: 3,
  STDOUT: 4,
  STDERR: 5,
  STDIN: 6,
  STDIN_END: 7,
  TUN_DATA: 8,
  TUN_END: 9,
  TUN_CLOSE: 10,
} as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Obj = { [key: string]: Json };

export class SupervisorError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function send(type: number, channel: number, payload: Buffer): void {
  const header = Buffer.allocUnsafe(HEADER);
  header.writeUInt8(type, 0);
  header.writeUInt32BE(channel, 1);
  header.writeUInt32BE(payload.length, 5);
  // stdout is a pipe: writes are synchronous on Linux, so frames never interleave and memory stays flat.
  process.stdout.write(payload.length ? Buffer.concat([header, payload]) : header);
}
export const sendJson = (type: number, channel: number, value: Obj) =>
  send(type, channel, Buffer.from(JSON.stringify(value)));
export const log = (msg: string) => process.stderr.write(`supervisor: ${msg}\n`);

export function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}
