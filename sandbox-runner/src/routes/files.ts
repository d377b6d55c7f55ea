/**
 * The file API of a sandbox, all paths relative to /workspace: batch write, read one, list a tree,
 * delete. `..` and absolute paths are refused by the contract's schemas; symlinks that lead out of the
 * workspace are refused by the supervisor, which resolves them inside the container.
 */
import type { FastifyInstance } from 'fastify';
import { DeleteFileQuery, ListFilesQuery, ReadFileQuery, WriteFilesRequest } from '../contract.ts';
import type { FileEntry, ListFilesResponse, ReadFileResponse, WriteFilesResponse } from '../contract.ts';
import { parseOr400, RunnerError } from '../errors.ts';
import type { IdParams } from './sandboxes.ts';

export async function fileRoutes(app: FastifyInstance): Promise<void> {
  const maxFileBytes = app.sandboxes.config.maxFileBytes;

  app.put<{ Params: IdParams }>('/sandboxes/:id/files', async (request) => {
    const body = parseOr400(WriteFilesRequest, request.body);
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const files = body.files.map((file) => {
      const data = Buffer.from(file.content, file.encoding ?? 'utf8');
      if (data.length > maxFileBytes) {
        throw new RunnerError(
          'file_too_large',
          `${file.path} is ${data.length} bytes (limit ${maxFileBytes})`,
        );
      }
      return {
        path: file.path,
        data: data.toString('base64'),
        ...(file.mode === undefined ? {} : { mode: file.mode }),
      };
    });
    const reply = await sandbox.session.request('write', { files }, 120_000);
    const result: WriteFilesResponse = { written: Number(reply.written), bytes: Number(reply.bytes) };
    return result;
  });

  app.get<{ Params: IdParams }>('/sandboxes/:id/files/content', async (request) => {
    const query = parseOr400(ReadFileQuery, request.query, 'query');
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const reply = await sandbox.session.request('read', { path: query.path, maxBytes: maxFileBytes }, 60_000);
    const encoding = query.encoding ?? 'utf8';
    const data = Buffer.from(String(reply.data), 'base64');
    const result: ReadFileResponse = {
      path: query.path,
      content: encoding === 'base64' ? data.toString('base64') : data.toString('utf8'),
      encoding,
      size: Number(reply.size),
    };
    return result;
  });

  app.get<{ Params: IdParams }>('/sandboxes/:id/files', async (request) => {
    const query = parseOr400(ListFilesQuery, request.query, 'query');
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    const reply = await sandbox.session.request(
      'list',
      { path: query.path ?? '.', depth: query.depth ?? 1 },
      60_000,
    );
    const result: ListFilesResponse = {
      entries: reply.entries as FileEntry[],
      truncated: reply.truncated === true,
    };
    return result;
  });

  app.delete<{ Params: IdParams }>('/sandboxes/:id/files', async (request, reply) => {
    const query = parseOr400(DeleteFileQuery, request.query, 'query');
    const sandbox = app.sandboxes.running(request.projectId, request.params.id);
    await sandbox.session.request(
      'delete',
      { path: query.path, recursive: query.recursive ?? false },
      60_000,
    );
    return reply.status(204).send();
  });
}
