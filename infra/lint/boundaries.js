/**
 * ESLint rule `samokoder/imports-within`: the files it applies to may import only from the listed
 * folders and files (relative imports, resolved against the importing file) and the listed packages.
 * Why a rule of our own: the built-in `no-restricted-imports` matches the import's text, and the same
 * text (`../llm/keys.ts`) means different places at different depths.
 */
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/** @type {import('eslint').Rule.RuleModule} */
const importsWithin = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps a layer to the imports it may have.' },
    schema: [
      {
        type: 'object',
        properties: {
          paths: { type: 'array', items: { type: 'string' } },
          packages: { type: 'array', items: { type: 'string' } },
          why: { type: 'string' },
        },
        required: ['paths', 'packages', 'why'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { paths, packages, why } = context.options[0];
    const allowed = paths.map((p) => path.join(root, p));
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = path.resolve(path.dirname(context.filename), source);
        if (allowed.some((a) => target === a || target.startsWith(a + path.sep))) return;
        context.report({ node, message: `${source}: ${why}` });
        return;
      }
      // `node:` allows every built-in module; any other entry allows a package and its subpaths.
      const allows = (p) =>
        p.endsWith(':') ? source.startsWith(p) : source === p || source.startsWith(`${p}/`);
      if (packages.some(allows)) return;
      context.report({ node, message: `${source}: ${why}` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

/** Methods of the storage's SQL port (storage/sql.ts) and of the Durable Object's own `storage.sql`. */
const SQL_METHODS = new Set(['one', 'all', 'run', 'tx', 'exec']);

/**
 * ESLint rule `samokoder/sql-in-storage`: the files it applies to neither import the SQL port's `Sql`
 * type (from the `port` module, resolved like `imports-within`) nor query through an object named `sql`
 * (`sql.all(…)`, `this.sql.run(…)`, `ctx.storage.sql.exec(…)`): their queries belong in the storage
 * modules, which offer named operations instead. Passing the database along (`open(ctx.storage.sql)`)
 * is not a query.
 */
const sqlInStorage = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps SQL inside the storage modules.' },
    schema: [
      {
        type: 'object',
        properties: { port: { type: 'string' }, why: { type: 'string' } },
        required: ['port', 'why'],
        additionalProperties: false,
      },
    ],
  },
  create(context) {
    const { port, why } = context.options[0];
    const portFile = path.join(root, port);
    const isSql = (node) =>
      (node.type === 'Identifier' && node.name === 'sql') ||
      (node.type === 'MemberExpression' &&
        !node.computed &&
        node.property.type === 'Identifier' &&
        node.property.name === 'sql');
    return {
      ImportDeclaration(node) {
        const source = node.source.value;
        if (typeof source !== 'string' || !source.startsWith('.')) return;
        if (path.resolve(path.dirname(context.filename), source) !== portFile) return;
        for (const spec of node.specifiers) {
          if (
            spec.type === 'ImportSpecifier' &&
            spec.imported.type === 'Identifier' &&
            spec.imported.name === 'Sql'
          ) {
            context.report({ node: spec, message: `Sql: ${why}` });
          }
        }
      },
      MemberExpression(node) {
        if (node.computed || node.property.type !== 'Identifier') return;
        if (!SQL_METHODS.has(node.property.name) || !isSql(node.object)) return;
        context.report({ node, message: `.sql.${node.property.name}(): ${why}` });
      },
    };
  },
};

export const boundaries = { rules: { 'imports-within': importsWithin, 'sql-in-storage': sqlInStorage } };
