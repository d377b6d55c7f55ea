/**
 * The API's own OpenAPI document as a list of operations, and valid sample input for each, so that
 * tests can call every operation the API declares (a new route is then covered without editing them).
 */
import { api } from './api.ts';

/** The subset of JSON Schema the document uses. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
  example?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: unknown[];
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/** One operation of the document. */
export interface Operation {
  method: string;
  /** As documented, with `{id}` for the resource id. */
  path: string;
  /** `METHOD /path`, for messages. */
  name: string;
  /** The path names a resource by id. */
  takesId: boolean;
  /** Which resource the id names: a project, an LLM key, a git access token. */
  resource: 'project' | 'key' | 'gitToken' | null;
  signedIn: boolean;
  query: Parameter[];
  /** The JSON body's schema, when the operation takes one. */
  body: JsonSchema | null;
  bodyRequired: boolean;
}

/**
 * Whether an operation needs the sandbox-runner (publishing the app). This suite's stack has none, so
 * such an operation rightly answers 503 `dependency_unavailable` with `Retry-After` there.
 */
export function needsRunner(op: Operation): boolean {
  return op.path.startsWith('/api/projects/{id}/publish');
}

/** The answer of a dependency that is not there: 503, `Retry-After`, the envelope's code. */
export function isDependencyUnavailable(status: number, retryAfter: string | null, body: string): boolean {
  return status === 503 && retryAfter !== null && body.includes('"code":"dependency_unavailable"');
}

let cached: OpenApiDoc | undefined;

/** The document the Worker serves at `/api/openapi.json`. */
export async function openApiDoc(): Promise<OpenApiDoc> {
  if (cached) return cached;
  const res = await api('/api/openapi.json');
  if (res.status !== 200) throw new Error(`the OpenAPI document answered ${res.status}`);
  cached = await res.json<OpenApiDoc>();
  return cached;
}

/** Every operation of the document, in a stable order. */
export async function operations(): Promise<Operation[]> {
  const doc = await openApiDoc();
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const takesId = path.includes('{id}');
      const json = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        name: `${method.toUpperCase()} ${path}`,
        takesId,
        resource: !takesId
          ? null
          : path.startsWith('/api/keys/')
            ? 'key'
            : path.startsWith('/api/settings/git-tokens/')
              ? 'gitToken'
              : 'project',
        signedIn: (op.security?.length ?? 0) > 0,
        query: (op.parameters ?? []).filter((p) => p.in === 'query'),
        body: json ? resolve(doc, json) : null,
        bodyRequired: op.requestBody?.required === true,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** A schema with its `$ref` followed. */
export function resolve(doc: OpenApiDoc, schema: JsonSchema): JsonSchema {
  let at = schema;
  for (let hops = 0; at.$ref && hops < 10; hops++) {
    const name = at.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved ${at.$ref}`);
    at = target;
  }
  return at;
}

/** Values that fit the API's fields by name (files, dates, steps...), where a type alone is not enough. */
const BY_NAME: Record<string, unknown> = {
  path: 'README.md',
  content: '# Notes\n',
  name: 'Sample project',
  description: 'A todo list with due dates',
  step: 1,
  from: 0,
  to: 1,
  email: 'sample@example.com',
  password: 'correct horse battery staple',
};

/**
 * A valid value for `schema` (its required properties only, or every property with `everything`), or
 * undefined when none can be made.
 */
export function sample(doc: OpenApiDoc, raw: JsonSchema, name = '', everything = false): unknown {
  const schema = resolve(doc, raw);
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  const choice = schema.oneOf ?? schema.anyOf;
  if (choice?.[0]) return sample(doc, choice[0], name, everything);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    const keys = everything ? Object.keys(schema.properties ?? {}) : (schema.required ?? []);
    for (const key of keys) {
      const value = sample(doc, schema.properties?.[key] ?? {}, key, everything);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
  const named = BY_NAME[name];
  if (type === 'string') {
    if (schema.pattern?.includes('\\d{4}-\\d{2}-\\d{2}')) return new Date().toISOString().slice(0, 10);
    if (typeof named === 'string') return named;
    return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
  }
  if (type === 'integer' || type === 'number') {
    if (typeof named === 'number') return named;
    return schema.minimum ?? 0;
  }
  if (type === 'boolean') return false;
  if (type === 'array') return [];
  return named;
}

/**
 * The query parameters of `op` that are required, or that have a sample by name (a coerced number is
 * documented as optional even where the route needs it), filled with samples.
 */
export function sampleQuery(doc: OpenApiDoc, op: Operation): URLSearchParams {
  const query = new URLSearchParams();
  for (const param of op.query) {
    if (!param.required && !(param.name in BY_NAME)) continue;
    query.set(param.name, String(sample(doc, param.schema ?? { type: 'string' }, param.name)));
  }
  return query;
}
