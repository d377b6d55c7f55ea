/**
 * The preview side of the runner: every request whose Host is a preview origin (origins.ts) comes here
 * instead of the API. It checks access (access.ts), turns a link into a session, and proxies the
 * request or WebSocket upgrade into the app's sandbox (proxy.ts). It never logs a URL: links carry tokens.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Counter } from 'prom-client';
import { RunnerError } from '../errors.ts';
import type { PublishedTarget } from '../deployments/manager.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import type { PreviewClaims } from '../tokens.ts';
import {
  dueForRenewal,
  presentedToken,
  sessionCookie,
  verifiedClaims,
  withoutToken,
  type PresentedToken,
} from './access.ts';
import { errorPage } from './error-page.ts';
import type { PreviewHost, PreviewOrigins } from './origins.ts';
import { proxyHttp, proxyUpgrade } from './proxy.ts';

/** The runner's services the router needs, attached once they are up. */
export interface PreviewServices {
  secret: string;
  sandboxes: { find(id: string): Sandbox | undefined };
  /** Published apps: public at their origin, no token (../deployments/). */
  deployments: { target(hash: string): PublishedTarget };
  requests: Counter<'kind' | 'result'>;
}

interface Authorized {
  sandbox: Sandbox;
  claims: PreviewClaims & { issuedAt: number };
  presented: PresentedToken;
  preview: PreviewHost;
  url: URL;
}

export class PreviewRouter {
  readonly origins: PreviewOrigins;
  private services: PreviewServices | null = null;
  private readonly upgraded = new Set<Duplex>();

  constructor(origins: PreviewOrigins) {
    this.origins = origins;
  }

  attach(services: PreviewServices): void {
    this.services = services;
  }

  /** Whether a request is for a preview (by its Host) rather than for the runner's API. */
  handles(req: IncomingMessage): boolean {
    return this.origins.isPreviewHost(req.headers.host);
  }

  private async authorize(req: IncomingMessage): Promise<Authorized & { services: PreviewServices }> {
    const services = this.services;
    if (!services) throw new RunnerError('shutting_down', 'the runner is starting');
    const preview = this.origins.parseHost(req.headers.host);
    if (!preview) throw new RunnerError('not_found', 'There is no preview at this address.');
    const url = new URL(req.url ?? '/', 'http://preview');
    const presented = presentedToken(url, req.headers);
    if (!presented) {
      throw new RunnerError(
        'unauthorized',
        'This preview needs a link: open it from the Preview tab of your project in Samokoder.',
      );
    }
    const claims = await verifiedClaims(services.secret, presented.token);
    if (claims.port !== preview.port || this.origins.projectHash(claims.projectId) !== preview.hash) {
      throw new RunnerError('unauthorized', 'This preview link is for another app.');
    }
    const sandbox = services.sandboxes.find(claims.sandboxId);
    if (!sandbox || sandbox.projectId !== claims.projectId || !sandbox.running) {
      throw new RunnerError(
        'sandbox_not_found',
        'This preview has ended: the app is no longer running. Open the preview again from Samokoder.',
      );
    }
    sandbox.touch();
    return { sandbox, claims, presented, preview, url, services };
  }

  /** The live published app of a published origin; throws what the visitor is told otherwise. */
  private published(host: string | undefined): { session: Sandbox['session']; port: number } | null {
    const published = this.origins.parsePublishedHost(host);
    if (!published) return null;
    if (!this.services) throw new RunnerError('shutting_down', 'the runner is starting');
    const target = this.services.deployments.target(published.hash);
    if (target === null) throw new RunnerError('not_found', 'There is no app published at this address.');
    if (target === 'down') {
      throw new RunnerError('preview_unreachable', 'The app is starting or has stopped: try again shortly.');
    }
    return target;
  }

  /** An HTTP request to a published app: proxied as it is, no token, no cookie of the runner's. */
  private async handlePublished(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    let tunnel;
    try {
      const target = this.published(req.headers.host);
      if (!target) return false;
      tunnel = await target.session.connect(target.port);
    } catch (err) {
      this.refuse(req, res, err, 'http', 'published');
      return true;
    }
    this.services?.requests.inc({ kind: 'http', result: 'ok' });
    const preview = this.origins.parsePublishedHost(req.headers.host);
    proxyHttp(req, res, tunnel, {
      path: req.url ?? '/',
      from: {
        host: preview?.host ?? '',
        scheme: preview?.scheme ?? 'http',
        clientAddress: req.socket.remoteAddress,
      },
      setCookies: [],
    });
    return true;
  }

  /** An HTTP request to a preview origin. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await this.handlePublished(req, res)) return;
    let target;
    try {
      target = await this.authorize(req);
    } catch (err) {
      this.refuse(req, res, err, 'http');
      return;
    }
    const { sandbox, claims, presented, preview, url, services } = target;
    const method = req.method ?? 'GET';
    const cookie = await sessionCookie(services.secret, claims);
    if (presented.from === 'link' && (method === 'GET' || method === 'HEAD')) {
      // The link's token leaves the address bar (and the app's reach) at once.
      services.requests.inc({ kind: 'http', result: 'ok' });
      res.writeHead(302, {
        location: withoutToken(url),
        'set-cookie': cookie,
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      res.end();
      req.resume();
      return;
    }
    let tunnel;
    try {
      tunnel = await sandbox.session.connect(preview.port);
    } catch (err) {
      this.refuse(req, res, err, 'http');
      return;
    }
    services.requests.inc({ kind: 'http', result: 'ok' });
    const renew = presented.from === 'link' || dueForRenewal(claims.issuedAt);
    proxyHttp(req, res, tunnel, {
      path: withoutToken(url),
      from: { host: preview.host, scheme: preview.scheme, clientAddress: req.socket.remoteAddress },
      setCookies: renew ? [cookie] : [],
    });
  }

  /** A WebSocket upgrade to a preview origin (a dev server's live reload, the app's own sockets). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const publishedHost = this.origins.parsePublishedHost(req.headers.host);
    if (publishedHost) {
      Promise.resolve()
        .then(async () => {
          const target = this.published(req.headers.host);
          if (!target) throw new RunnerError('not_found', 'There is no app published at this address.');
          const tunnel = await target.session.connect(target.port);
          this.upgraded.add(socket);
          socket.on('close', () => this.upgraded.delete(socket));
          this.services?.requests.inc({ kind: 'websocket', result: 'ok' });
          proxyUpgrade(req, socket, head, tunnel, {
            path: req.url ?? '/',
            from: {
              host: publishedHost.host,
              scheme: publishedHost.scheme,
              clientAddress: req.socket.remoteAddress,
            },
          });
        })
        .catch((err: unknown) => this.refuseUpgrade(socket, err));
      return;
    }
    this.authorize(req)
      .then(async ({ sandbox, preview, url, services }) => {
        const tunnel = await sandbox.session.connect(preview.port);
        this.upgraded.add(socket);
        socket.on('close', () => this.upgraded.delete(socket));
        services.requests.inc({ kind: 'websocket', result: 'ok' });
        proxyUpgrade(req, socket, head, tunnel, {
          path: withoutToken(url),
          from: { host: preview.host, scheme: preview.scheme, clientAddress: req.socket.remoteAddress },
        });
      })
      .catch((err: unknown) => this.refuseUpgrade(socket, err));
  }

  private refuseUpgrade(socket: Duplex, err: unknown): void {
    const status = err instanceof RunnerError ? err.status : 500;
    this.count('websocket', status);
    socket.end(`HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }

  /** Ends every proxied WebSocket (the runner is closing). */
  closeAll(): void {
    for (const socket of this.upgraded) socket.destroy();
  }

  private count(kind: 'http' | 'websocket', status: number): void {
    this.services?.requests.inc({ kind, result: status === 502 ? 'unreachable' : 'refused' });
  }

  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    err: unknown,
    kind: 'http',
    what: 'preview' | 'published' = 'preview',
  ): void {
    const known = err instanceof RunnerError;
    const status = known ? err.status : 500;
    const code = known ? err.code : 'internal';
    // Internal errors say nothing of their cause; every other refusal says what to do.
    const message =
      known && status !== 500 ? err.message : `The ${what === 'preview' ? 'preview' : 'app'} failed.`;
    this.count(kind, status);
    req.resume();
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if ((req.headers.accept ?? '').includes('text/html')) {
      res.writeHead(status, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
        'x-robots-tag': 'noindex',
      });
      res.end(errorPage(status, message, what === 'published' ? PUBLISHED_TITLES[status] : undefined));
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: { code, message } }));
  }
}

const PUBLISHED_TITLES: Record<number, string> = {
  404: 'No app is published here',
  502: 'The app is not answering',
};

function statusText(status: number): string {
  return status === 401
    ? 'Unauthorized'
    : status === 404
      ? 'Not Found'
      : status === 502
        ? 'Bad Gateway'
        : 'Error';
}
