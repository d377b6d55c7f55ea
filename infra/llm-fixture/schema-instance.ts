/**
 * A minimal value that satisfies a JSON schema: what the fixture answers to a structured-output request
 * that no script covers (the benchmark and ad-hoc local runs rely on it). Handles the subset zod's
 * `toJSONSchema` emits: objects, arrays, enums, consts, unions, strings, numbers, booleans, null, $ref.
 */

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, root: Schema): Schema {
  // Only local refs (`#/$defs/Name`, `#/definitions/Name`), which is all zod emits.
  let node: unknown = root;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    node = isSchema(node) ? node[part] : undefined;
  }
  return isSchema(node) ? node : {};
}

function instance(schema: Schema, root: Schema, depth: number): unknown {
  if (depth > 12) return null;
  if (typeof schema.$ref === 'string') return instance(resolveRef(schema.$ref, root), root, depth + 1);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0] ?? null;
  if ('default' in schema) return schema.default;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && isSchema(options[0])) return instance(options[0], root, depth + 1);
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const props = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      for (const name of required) {
        const prop = props[name];
        out[name] = isSchema(prop) ? instance(prop, root, depth + 1) : null;
      }
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const item = isSchema(schema.items) ? schema.items : {};
      return Array.from({ length: min }, () => instance(item, root, depth + 1));
    }
    case 'string': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'fixture'.padEnd(min, 'x');
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return null;
  }
}

/** A value that validates against `schema` (best effort for the subset above). */
export function schemaInstance(schema: unknown): unknown {
  return isSchema(schema) ? instance(schema, schema, 0) : {};
}
