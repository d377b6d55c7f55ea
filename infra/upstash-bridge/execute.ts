import { BridgeError } from './errors.ts';
import { toJsonReply, type JsonReply } from './reply-json.ts';
import { RespError, type RespArg, type RespValue } from './resp.ts';
import type { RedisPool } from './redis-pool.ts';
import type { ScriptCompat } from './script-compat.ts';

/** One entry of a `/pipeline` or `/multi-exec` response. */
export type ResultOrError = { result: JsonReply } | { error: string };

/** Runs REST requests against redis-server and shapes the replies the way Upstash does. */
export class Executor {
  private readonly pool: RedisPool;
  private readonly scripts: ScriptCompat;

  constructor(pool: RedisPool, scripts: ScriptCompat) {
    this.pool = pool;
    this.scripts = scripts;
  }

  /** `POST /`: one command; a redis error becomes a 400 with Upstash's `{"error"}` body. */
  async single(command: RespArg[], base64: boolean): Promise<{ result: JsonReply }> {
    const [entry] = await this.pipeline([command], base64);
    if (!entry) throw new Error('redis returned no reply');
    if ('error' in entry) throw new BridgeError(400, entry.error);
    return entry;
  }

  /** `POST /pipeline`: every command runs in order; each gets its own result or error. */
  async pipeline(commands: RespArg[][], base64: boolean): Promise<ResultOrError[]> {
    const adapted = commands.map((command) => this.scripts.adapt(command));
    const replies = await this.pool.run(adapted.map((command) => command.args));
    return replies.map((reply, i) => entryFor(adapted[i]?.adaptReply(reply) ?? reply, base64));
  }

  /**
   * `POST /multi-exec`: MULTI, the commands, EXEC, written together on one checked-out connection, so no
   * other request's command can land inside the transaction. A command redis refuses to queue aborts the
   * whole transaction (400, nothing ran); an error while executing is reported in that command's slot.
   */
  async transaction(commands: RespArg[][], base64: boolean): Promise<ResultOrError[]> {
    const adapted = commands.map((command) => this.scripts.adapt(command));
    const replies = await this.pool.run([['MULTI'], ...adapted.map((command) => command.args), ['EXEC']]);
    const queued = replies.slice(1, -1);
    const exec = replies.at(-1);
    const refused = queued.find((reply) => reply instanceof RespError);
    if (exec instanceof RespError) {
      const reason = refused instanceof RespError ? `: ${refused.message}` : '';
      throw new BridgeError(400, `${exec.message.replace(/\.$/, '')}${reason}`);
    }
    if (!Array.isArray(exec)) throw new BridgeError(400, 'EXECABORT Transaction discarded');
    return exec.map((reply, i) => entryFor(adapted[i]?.adaptReply(reply) ?? reply, base64));
  }
}

function entryFor(reply: RespValue, base64: boolean): ResultOrError {
  return reply instanceof RespError ? { error: reply.message } : { result: toJsonReply(reply, base64) };
}
