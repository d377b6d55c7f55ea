import { createHash } from 'node:crypto';
import type { RespArg, RespValue } from './resp.ts';

/**
 * Shebang flags that Upstash accepts and redis-server refuses ("ERR Unexpected flag in script shebang").
 * @upstash/ratelimit starts every script with `#!lua flags=allow-key-locking`. Dropping the flag is safe:
 * redis-server runs every script atomically anyway, which is what the flag relaxes on Upstash.
 */
const UPSTASH_ONLY_FLAGS = new Set(['allow-key-locking']);

/** A command rewritten for redis-server, plus how to turn redis-server's reply back into Upstash's. */
export type AdaptedCommand = { args: RespArg[]; adaptReply: (reply: RespValue) => RespValue };

const sameReply = (reply: RespValue): RespValue => reply;

/**
 * Makes Lua scripts written for Upstash run on redis-server, keeping their SHA1 stable for the client.
 *
 * A rewritten script is cached by redis-server under the SHA1 of the rewritten text, while the client
 * computes the SHA1 of the text it sent. So the bridge remembers client SHA → redis SHA and translates
 * EVALSHA, SCRIPT EXISTS and SCRIPT LOAD's reply. If redis-server restarts or flushes its scripts,
 * the translated EVALSHA gets NOSCRIPT like on the hosted service, and the client falls back to EVAL.
 */
export class ScriptCompat {
  private readonly redisShaByClientSha = new Map<string, string>();

  adapt(args: RespArg[]): AdaptedCommand {
    const name = typeof args[0] === 'string' ? args[0].toLowerCase() : '';
    if ((name === 'eval' || name === 'eval_ro') && typeof args[1] === 'string') {
      return { args: this.withArg(args, 1, this.rewrite(args[1]).script), adaptReply: sameReply };
    }
    if ((name === 'evalsha' || name === 'evalsha_ro') && typeof args[1] === 'string') {
      return { args: this.withArg(args, 1, this.redisSha(args[1])), adaptReply: sameReply };
    }
    const sub = typeof args[1] === 'string' ? args[1].toLowerCase() : '';
    if (name === 'script' && sub === 'load' && typeof args[2] === 'string') {
      const { script, clientSha } = this.rewrite(args[2]);
      const adaptReply =
        clientSha === undefined
          ? sameReply
          : (reply: RespValue) => (reply instanceof Buffer ? Buffer.from(clientSha) : reply);
      return { args: this.withArg(args, 2, script), adaptReply };
    }
    if (name === 'script' && sub === 'exists') {
      const mapped = args.map((arg, i) => (i >= 2 && typeof arg === 'string' ? this.redisSha(arg) : arg));
      return { args: mapped, adaptReply: sameReply };
    }
    return { args, adaptReply: sameReply };
  }

  /** Returns the script redis-server accepts; `clientSha` is set only when the text had to change. */
  private rewrite(script: string): { script: string; clientSha?: string } {
    const match = /^#!(\S+)([^\n]*)/.exec(script);
    if (!match) return { script };
    const [shebang, engine = '', options = ''] = match;
    let changed = false;
    const kept = options
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((option) => {
        if (!option.startsWith('flags=')) return option;
        const flags = option.slice('flags='.length).split(',');
        const supported = flags.filter((flag) => !UPSTASH_ONLY_FLAGS.has(flag));
        if (supported.length === flags.length) return option;
        changed = true;
        return supported.length > 0 ? `flags=${supported.join(',')}` : '';
      })
      .filter(Boolean);
    if (!changed) return { script };
    // Only the first line changes, so line numbers in Lua error messages still match the client's script.
    const rewritten = [`#!${engine}`, ...kept].join(' ') + script.slice(shebang.length);
    const clientSha = sha1(script);
    this.redisShaByClientSha.set(clientSha, sha1(rewritten));
    return { script: rewritten, clientSha };
  }

  private redisSha(clientSha: string): string {
    return this.redisShaByClientSha.get(clientSha.toLowerCase()) ?? clientSha;
  }

  private withArg(args: RespArg[], index: number, value: RespArg): RespArg[] {
    const copy = [...args];
    copy[index] = value;
    return copy;
  }
}

function sha1(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}
