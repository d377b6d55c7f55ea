/** Background processes: start, list, get, read logs from an offset, write stdin, signal. */
import type { FastifyInstance } from 'fastify';
import {
  ProcessLogsQuery,
  ProcessSignalRequest,
  ProcessStdinRequest,
  StartProcessRequest,
} from '../contract.ts';
import type { ListProcessesResponse, ProcessInfo } from '../contract.ts';
import { parseOr400 } from '../errors.ts';
import { getProcess, runningProcess, startProcess } from '../sandbox/processes.ts';

interface ProcessParams {
  id: string;
  pid: string;
}

export async function processRoutes(app: FastifyInstance): Promise<void> {
  const config = app.sandboxes.config;

  app.post<{ Params: { id: string } }>('/sandboxes/:id/processes', async (request, reply) => {
    const body = parseOr400(StartProcessRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const proc = await startProcess(sandbox, body, config.processLogBytes);
    // A background process is an app whose page is checked once it answers.
    app.warmPageCheck();
    const info: ProcessInfo = proc.info();
    return reply.status(201).send(info);
  });

  app.get<{ Params: { id: string } }>('/sandboxes/:id/processes', async (request) => {
    const sandbox = app.sandboxes.get(request.projectId, request.params.id);
    const body: ListProcessesResponse = { processes: [...sandbox.processes.values()].map((p) => p.info()) };
    return body;
  });

  app.get<{ Params: ProcessParams }>('/sandboxes/:id/processes/:pid', async (request) => {
    const sandbox = app.sandboxes.get(request.projectId, request.params.id);
    return getProcess(sandbox, request.params.pid).info();
  });

  app.get<{ Params: ProcessParams }>('/sandboxes/:id/processes/:pid/logs', async (request) => {
    const query = parseOr400(ProcessLogsQuery, request.query, 'query');
    const sandbox = app.sandboxes.get(request.projectId, request.params.id);
    const proc = getProcess(sandbox, request.params.pid);
    const logs = await proc.logs(query.offset ?? 0, query.limit ?? 256 * 1024, query.waitMs ?? 0);
    sandbox.touch();
    return logs;
  });

  app.post<{ Params: ProcessParams }>('/sandboxes/:id/processes/:pid/stdin', async (request, reply) => {
    const body = parseOr400(ProcessStdinRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const proc = runningProcess(sandbox, request.params.pid);
    const data = Buffer.from(body.data, body.encoding ?? 'utf8');
    if (data.length) sandbox.session.writeStdin(proc.channel, data);
    if (body.end) sandbox.session.endStdin(proc.channel);
    return reply.status(204).send();
  });

  app.post<{ Params: ProcessParams }>('/sandboxes/:id/processes/:pid/signal', async (request, reply) => {
    const body = parseOr400(ProcessSignalRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const proc = runningProcess(sandbox, request.params.pid);
    await sandbox.session.signal(proc.channel, body.signal);
    return reply.status(204).send();
  });
}
