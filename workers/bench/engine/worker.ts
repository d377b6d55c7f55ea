/**
 * The engine benchmark's front door: drives ProjectObject objects without the API's auth and database,
 * so the figures are the engine's own. Served by plain `workerd serve` on loopback only (plain-server.ts).
 *
 *   POST /p/:id/project           ProjectInfo JSON
 *   POST /p/:id/control/:action   start | pause | resume | stop | skip
 *   GET  /p/:id/status
 *   GET  /p/:id/live?after=&batch=1   WebSocket upgrade
 */
import { ProjectObject, VIEWER_HEADER, type ProjectInfo } from '../../src/project-object/project-object.ts';
// Its projects run the scripted pipeline: zero-latency steps, so the figures are the engine's own.
import '../../src/testing/scripted-registration.ts';
import type { Bindings } from '../../src/env.ts';
import type { ControlAction } from '../../src/protocol.ts';

export { ProjectObject };

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const match = /^\/p\/([\w-]+)\/(project|control\/(\w+)|status|live)$/.exec(url.pathname);
    if (!match) return new Response('not found', { status: 404 });
    const stub = env.PROJECT_OBJECT.get(env.PROJECT_OBJECT.idFromName(match[1]!));
    if (match[2] === 'project') {
      await stub.setProject((await request.json()) as ProjectInfo);
      return Response.json({ ok: true });
    }
    if (match[3]) return Response.json(await stub.control(match[3] as ControlAction));
    if (match[2] === 'status') return Response.json(await stub.status());
    const target = new URL('https://project-object/live');
    const after = url.searchParams.get('after');
    if (after !== null) target.searchParams.set('after', after);
    if (url.searchParams.get('batch') === '1') target.searchParams.set('batch', '1');
    return stub.fetch(new Request(target, { headers: { upgrade: 'websocket', [VIEWER_HEADER]: 'bench' } }));
  },
} satisfies ExportedHandler<Bindings>;
