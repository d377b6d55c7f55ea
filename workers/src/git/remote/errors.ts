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

/**
 * The remote's answer is larger than the caller allows (an import's limit): refused as soon as that is
 * known, from its `Content-Length` or while it is read, never after reading it all.
 */
export class RemoteTooLargeError extends Error {
  override readonly name = 'RemoteTooLargeError';
  /** The limit, in bytes. */
  readonly limit: number;

  constructor(limit: number) {
    super(`The remote's answer is larger than ${limit} bytes.`);
    this.limit = limit;
  }
}
