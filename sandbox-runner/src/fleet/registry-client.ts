/**
 * The few Redis commands the announcer sends, over Upstash's REST protocol (`POST /pipeline` with a
 * JSON array of commands, bearer token): the hosted service, or the repo's bridge in front of
 * redis-server. The token is only ever put in the Authorization header, never in an error or a log.
 */

/** The registry failed or refused a pipeline; the message never contains the token. */
export class RegistryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
  }
}

export interface RegistryEndpoint {
  url: string;
  token: string;
}

/** How long one pipeline may take: the next announcement is due in a few seconds anyway. */
const PIPELINE_TIMEOUT_MS = 3_000;

/** Sends `commands` in one pipeline; throws {@link RegistryError} when any of them failed. */
export async function pipeline(
  endpoint: RegistryEndpoint,
  commands: (string | number)[][],
): Promise<unknown[]> {
  let res: Response;
  try {
    res = await fetch(new URL('/pipeline', endpoint.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${endpoint.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(commands.map((c) => c.map(String))),
      signal: AbortSignal.timeout(PIPELINE_TIMEOUT_MS),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new RegistryError(`the fleet registry is unreachable: ${reason}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new RegistryError(`the fleet registry answered ${res.status}`);
  }
  const body = (await res.json().catch(() => null)) as unknown;
  if (!Array.isArray(body)) throw new RegistryError('the fleet registry answered something unreadable');
  return body.map((entry: unknown) => {
    if (entry && typeof entry === 'object' && 'error' in entry)
      throw new RegistryError(`the fleet registry refused a command: ${String(entry.error).slice(0, 200)}`);
    return entry && typeof entry === 'object' && 'result' in entry ? entry.result : null;
  });
}
