import { badRequest } from './errors.ts';
import type { RespArg } from './resp.ts';

/**
 * Commands refused over REST. They change the state of the pooled connection (a WATCH, a SELECT, an open
 * MULTI or a subscription would leak into the next request that borrows it), or never return.
 * Transactions go through `/multi-exec`, as on Upstash.
 */
const CONNECTION_STATE_COMMANDS = new Set([
  'multi',
  'exec',
  'discard',
  'watch',
  'unwatch',
  'select',
  'auth',
  'hello',
  'reset',
  'quit',
  'client',
  'monitor',
  'subscribe',
  'psubscribe',
  'ssubscribe',
  'unsubscribe',
  'punsubscribe',
  'sunsubscribe',
]);

/** Validates one JSON command (`["SET", "k", "v"]`): a non-empty array of strings, numbers, booleans. */
export function parseCommand(value: unknown): RespArg[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest('a command must be a non-empty JSON array, like ["SET","key","value"]');
  }
  const args = value.map((arg: unknown, index) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw badRequest(`command argument ${index} must be a string, number or boolean, got ${describe(arg)}`);
  });
  return checkAllowed(args);
}

/** Validates the body of `/pipeline` and `/multi-exec`: a non-empty array of commands. */
export function parseCommandList(value: unknown): RespArg[][] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(Array.isArray)) {
    throw badRequest(
      'the body must be a non-empty JSON array of commands, like [["SET","k","v"],["GET","k"]]',
    );
  }
  return value.map(parseCommand);
}

/**
 * Builds a command from Upstash's path form: `/set/key/value?EX=100`, where a POST/PUT body, when present,
 * is the last path argument (raw bytes, so binary values survive) and query parameters come after it.
 */
export function commandFromPath(pathname: string, query: URLSearchParams, body: Buffer): RespArg[] {
  const segments = pathname.slice(1).split('/');
  if (segments.at(-1) === '') segments.pop();
  let args: RespArg[];
  try {
    args = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    throw badRequest('the URL path is not valid percent-encoding');
  }
  if (body.length > 0) args.push(body);
  for (const [key, value] of query) {
    if (key === '_token') continue;
    args.push(key);
    if (value !== '') args.push(value);
  }
  if (args.length === 0 || args[0] === '') throw badRequest('no command given');
  return checkAllowed(args);
}

function checkAllowed(args: RespArg[]): RespArg[] {
  const name = String(args[0]).toLowerCase();
  if (CONNECTION_STATE_COMMANDS.has(name)) {
    throw badRequest(
      `command '${name}' is not supported over REST${name === 'multi' || name === 'exec' ? ' (use /multi-exec)' : ''}`,
    );
  }
  return args;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
