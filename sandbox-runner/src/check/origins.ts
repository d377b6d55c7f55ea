/** Which requests belong to the app under check: its own origin (and any origins the caller adds). */

/** The http(s) origin of a URL; ws/wss map to http/https, so an app's WebSocket counts as its own. */
export function httpOrigin(url: URL): string {
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    return `${url.protocol === 'ws:' ? 'http:' : 'https:'}//${url.host}`;
  }
  return url.origin;
}

/** Decides, for a URL the page requests, whether it is the app's own or another origin's. */
export class AppOrigins {
  private readonly origins: Set<string>;

  constructor(target: URL, extra: string[] = []) {
    this.origins = new Set([target.origin, ...extra.map((origin) => new URL(origin).origin)]);
  }

  /** True for http(s) and ws(s) URLs of the app's origins. */
  owns(url: URL | string): boolean {
    const parsed = typeof url === 'string' ? URL.parse(url) : url;
    return parsed !== null && this.origins.has(httpOrigin(parsed));
  }

  /** True for network URLs of any other origin (data:, blob: and about: URLs are neither). */
  foreign(url: URL): boolean {
    return ['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol) && !this.owns(url);
  }
}
