/** The demo's client of the Worker's public API: an account, a project, its live channel and files. */
import type { ServerFrame } from '../../workers/src/protocol.ts';

export class DemoApi {
  private token = '';
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** The headers of this client's requests: its bearer token and the platform's Origin. */
  headers(): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), origin: this.base };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined
          ? { 'content-type': 'application/json', origin: this.base }
          : { origin: this.base }),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** A fresh account, signed in with a bearer token. */
  async register(): Promise<void> {
    const email = `demo-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.test`;
    const session = await this.call<{ accessToken: string }>('POST', '/api/auth/register', {
      email,
      password: `Demo-${crypto.randomUUID()}`,
      delivery: 'token',
    });
    this.token = session.accessToken;
  }

  /** Saves a bring-your-own LLM key, as a user would in Settings. */
  addKey(
    body:
      | { provider: 'openai' | 'anthropic' | 'groq'; key: string; label: string }
      | { provider: 'openai-compatible'; key: string; label: string; baseUrl: string },
  ) {
    return this.call<{ id: string }>('POST', '/api/keys', body);
  }

  createProject(body: {
    name: string;
    description: string;
    mode: 'autopilot' | 'interactive';
    budgetMicros: number;
    /** Model per agent (`*` for all), as `provider:model`. */
    models?: Record<string, string>;
  }) {
    return this.call<{ id: string }>('POST', '/api/projects', body);
  }

  deleteProject(id: string) {
    return this.call<null>('DELETE', `/api/projects/${id}`);
  }

  /** A fresh link to the project's running app (at its own preview origin). */
  openPreview(id: string) {
    return this.call<{ url: string }>('POST', `/api/projects/${id}/preview`);
  }

  /** Saves a file as the user (a new version the agents and the running app get). */
  saveFile(id: string, path: string, content: string) {
    return this.call<{ version: number }>('PUT', `/api/projects/${id}/files/content`, { path, content });
  }

  readFile(id: string, path: string) {
    return this.call<{ content: string; version: number }>(
      'GET',
      `/api/projects/${id}/files/content?path=${encodeURIComponent(path)}`,
    );
  }

  /** Opens the live channel with a one-time ticket; frames go to `onFrame`. */
  async live(id: string, after: number, onFrame: (frame: ServerFrame) => void): Promise<WebSocket> {
    const { url } = await this.call<{ url: string }>('POST', `/api/projects/${id}/live-ticket`);
    const ws = new WebSocket(`${this.base.replace(/^http/, 'ws')}${url}&after=${after}`);
    ws.addEventListener('message', (e) => onFrame(JSON.parse(String(e.data)) as ServerFrame));
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error('the live channel did not open')), { once: true });
    });
    return ws;
  }
}
