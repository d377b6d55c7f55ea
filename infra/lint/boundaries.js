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

export const boundaries = { rules: { 'imports-within': importsWithin } };
