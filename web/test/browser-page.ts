/**
 * What the live stores use of a browser page, for Node tests: the page's address (`location`, and
 * relative `fetch` URLs resolved against it), the window's `online`/`offline` events with
 * `navigator.onLine`, the document's visibility, and a `WebSocket` that behaves as browsers' does.
 * Installed with `vi.stubGlobal`; `vi.unstubAllGlobals()` takes it away.
 */
import { vi } from 'vitest';
import { WebSocket as WsWebSocket } from 'ws';

/**
 * Node's own WebSocket (undici 6) never fires `close` after a refused handshake; browsers do, and the
 * reconnect logic relies on it. ws's client follows the browsers there, once an `error` without a
 * listener no longer throws (a browser only reports it).
 */
class BrowserWebSocket extends WsWebSocket {
  constructor(url: string | URL) {
    super(url);
    this.on('error', () => {});
  }
}

export interface TestPage {
  /** The browser loses the network: `navigator.onLine` false, then an `offline` event. */
  goOffline(): void;
  /** The network is back: `navigator.onLine` true, then an `online` event. */
  goOnline(): void;
  /** The tab is hidden or shown again (`visibilitychange`). */
  setVisible(visible: boolean): void;
}

/** Makes this process look like a page at `origin` (e.g. `http://127.0.0.1:1234`) to the code under test. */
export function openTestPage(origin: string): TestPage {
  const window = new EventTarget();
  const document = Object.assign(new EventTarget(), {
    visibilityState: 'visible' as DocumentVisibilityState,
  });
  let onLine = true;
  const realFetch = globalThis.fetch;
  vi.stubGlobal('addEventListener', window.addEventListener.bind(window));
  vi.stubGlobal('removeEventListener', window.removeEventListener.bind(window));
  vi.stubGlobal('document', document);
  vi.stubGlobal('WebSocket', BrowserWebSocket);
  vi.stubGlobal('location', new URL(`${origin}/projects/test`));
  vi.stubGlobal('navigator', {
    get onLine() {
      return onLine;
    },
  });
  // A page resolves `/api/...` against its own address; Node's fetch needs absolute URLs.
  vi.stubGlobal('fetch', (input: RequestInfo | URL, init?: RequestInit) =>
    realFetch(input instanceof Request ? input : new URL(String(input), origin), init),
  );
  return {
    goOffline() {
      onLine = false;
      window.dispatchEvent(new Event('offline'));
    },
    goOnline() {
      onLine = true;
      window.dispatchEvent(new Event('online'));
    },
    setVisible(visible) {
      document.visibilityState = visible ? 'visible' : 'hidden';
      document.dispatchEvent(new Event('visibilitychange'));
    },
  };
}
