/**
 * Preview origins. Every app port of a project is served at an origin of its own,
 * `<label>.<preview domain>`, so the app runs as if it were at `/` and shares nothing (cookies,
 * storage, service workers) with another preview or with the platform.
 *
 * The label is derived from the project and the port with the runner's secret: stable across the
 * project's sandboxes (the app keeps its storage when its sandbox is recreated), the same on every
 * runner sharing the secret, not guessable from the project id, and never a credential (access needs a
 * preview token, see access.ts).
 */
import { createHmac } from 'node:crypto';

/** The configured pattern, `http://*.localhost:8788` or `https://*.preview.example.com`. */
export interface PreviewOriginPattern {
  scheme: 'http' | 'https';
  /** The domain under which each preview gets its label, lower case. */
  domain: string;
  /** `:port` when the origin names one, else empty. */
  port: string;
}

const PATTERN = /^(https?):\/\/\*\.((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]+)(:\d{1,5})?$/;
/** A label: 26 base32 characters of the project's hash, then the port. */
const LABEL = /^([a-z2-7]{26})-(\d{1,5})$/;
/** A published app's label: the project's hash and `-app` (no port: one published app per project). */
const PUBLISHED_LABEL = /^([a-z2-7]{26})-app$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Parses `http(s)://*.<domain>[:port]`; throws a readable error on anything else. */
export function parsePreviewOrigin(pattern: string): PreviewOriginPattern {
  const match = PATTERN.exec(pattern.trim().toLowerCase());
  if (!match?.[1] || !match[2]) {
    throw new Error(`"${pattern}" is not a preview origin like https://*.preview.example.com`);
  }
  const scheme = match[1] as 'http' | 'https';
  const domain = match[2];
  if (scheme === 'http' && !isLocalhost(domain)) {
    // The preview's access cookie is `Secure` (browsers accept that over http only on localhost).
    throw new Error(`preview origin ${pattern}: use https (http works only under localhost)`);
  }
  return { scheme, domain, port: match[3] ?? '' };
}

function isLocalhost(domain: string): boolean {
  return domain === 'localhost' || domain.endsWith('.localhost');
}

function base32(bytes: Buffer, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A request's Host, read as a preview. */
export interface PreviewHost {
  /** The project's part of the label (compare with {@link PreviewOrigins.projectHash}). */
  hash: string;
  port: number;
  /** The Host header as sent (the app sees it). */
  host: string;
  /** The scheme the browser used: the configured one, or http on the runner's own `*.localhost` names. */
  scheme: 'http' | 'https';
}

/** Previews under `*.localhost` on the runner's own port: the local default. */
export const LOCAL_PREVIEW_ORIGIN = 'http://*.localhost';

export class PreviewOrigins {
  readonly pattern: PreviewOriginPattern;
  private readonly secret: string;
  private readonly listenPort: () => number | undefined;

  /**
   * `pattern` without a port under localhost means the runner's own port, read from `listenPort`
   * (known only once the server listens).
   */
  constructor(pattern: string, secret: string, listenPort: () => number | undefined = () => undefined) {
    this.pattern = parsePreviewOrigin(pattern);
    this.secret = secret;
    this.listenPort = listenPort;
  }

  /** The project's part of every one of its preview labels. */
  projectHash(projectId: string): string {
    const digest = createHmac('sha256', this.secret).update(`preview-origin:${projectId}`).digest();
    return base32(digest, 26);
  }

  /** The origin of a project's app port, e.g. `http://abc…xyz-3000.localhost:8788`. */
  origin(projectId: string, port: number): string {
    return this.originOf(`${this.projectHash(projectId)}-${port}`);
  }

  /** The public origin of a project's published app, e.g. `http://abc…xyz-app.localhost:8788`. */
  publishedOrigin(projectId: string): string {
    return this.originOf(`${this.projectHash(projectId)}-app`);
  }

  private originOf(label: string): string {
    const { scheme, domain } = this.pattern;
    let originPort = this.pattern.port;
    if (!originPort && isLocalhost(domain)) {
      const listening = this.listenPort();
      if (listening) originPort = `:${listening}`;
    }
    return `${scheme}://${label}.${domain}${originPort}`;
  }

  /** The published app a Host header names (its project's hash), or null. */
  parsePublishedHost(host: string | undefined): Omit<PreviewHost, 'port'> | null {
    const parts = this.splitHost(host);
    if (!parts) return null;
    const match = PUBLISHED_LABEL.exec(parts.label);
    if (!match?.[1]) return null;
    return { hash: match[1], host: host ?? '', scheme: parts.scheme };
  }

  /** A Host's first label and the scheme the browser used, when it is under a preview domain. */
  private splitHost(host: string | undefined): { label: string; scheme: 'http' | 'https' } | null {
    if (!host) return null;
    const hostname = host.toLowerCase().replace(/:\d{1,5}$/, '');
    const dot = hostname.indexOf('.');
    if (dot < 0) return null;
    const domain = hostname.slice(dot + 1);
    if (domain !== this.pattern.domain && domain !== 'localhost') return null;
    return {
      label: hostname.slice(0, dot),
      scheme: domain === this.pattern.domain ? this.pattern.scheme : 'http',
    };
  }

  /**
   * The preview a Host header names, or null when it names none (the runner's API). Both the configured
   * domain and the runner's own `*.localhost` names are previews: the platform's page check reaches the
   * runner on loopback, where a production domain does not resolve.
   */
  parseHost(host: string | undefined): PreviewHost | null {
    if (!host) return null;
    const hostname = host.toLowerCase().replace(/:\d{1,5}$/, '');
    const dot = hostname.indexOf('.');
    if (dot < 0) return null;
    const domain = hostname.slice(dot + 1);
    const local = domain === 'localhost';
    if (domain !== this.pattern.domain && !local) return null;
    const match = LABEL.exec(hostname.slice(0, dot));
    if (!match?.[1] || !match[2]) return null;
    const port = Number(match[2]);
    if (port < 1 || port > 65_535) return null;
    return {
      hash: match[1],
      port,
      host,
      scheme: domain === this.pattern.domain ? this.pattern.scheme : 'http',
    };
  }

  /** Whether the Host looks like a preview at all (a label under a preview domain), valid or not. */
  isPreviewHost(host: string | undefined): boolean {
    if (!host) return false;
    const hostname = host.toLowerCase().replace(/:\d{1,5}$/, '');
    return hostname.endsWith(`.${this.pattern.domain}`) || hostname.endsWith('.localhost');
  }
}
