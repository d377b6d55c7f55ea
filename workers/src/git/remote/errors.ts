/**
 * What can go wrong talking to a remote, as types the API maps to answers: the token refused, no
 * repository there, the remote down or unreachable (worth a retry), or an answer that is not git's.
 * Messages never carry the token or a URL with credentials in it.
 */

/** Why a remote could not be used. */
export type RemoteErrorKind = 'auth' | 'not_found' | 'unavailable' | 'protocol';

export class RemoteError extends Error {
  override readonly name = 'RemoteError';
  readonly kind: RemoteErrorKind;
  /** The HTTP status the remote answered with, when it answered. */
  readonly status: number | undefined;

  constructor(kind: RemoteErrorKind, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.kind = kind;
    this.status = opts.status;
  }

  /** Whether trying again later may work (the remote was down or unreachable). */
  get retryable(): boolean {
    return this.kind === 'unavailable';
  }
}
