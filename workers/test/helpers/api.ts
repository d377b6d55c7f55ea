import { exports } from 'cloudflare:workers';

/** Call the Worker under test the way a browser on its origin would. */
export function api(path: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(`http://localhost${path}`, init));
}
