/**
 * The repository the repository-import tests read (built with the git CLI by global-setup, on the
 * tests' loopback git server): an app in a subfolder layout, a binary file, dependencies that are
 * skipped, a symbolic link and a submodule. Shared by the setup that writes it and the tests that
 * compare what was imported.
 */

/** A PNG's signature, then every byte value: binary by content. */
export const LOGO_PNG = Uint8Array.from([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  ...Array.from({ length: 256 }, (_, i) => i),
]);

/** The files of the branch's latest commit that the import keeps (text), besides the logo. */
export const IMPORTABLE_TEXT_FILES: Record<string, string> = {
  'package.json': '{ "name": "kiosk", "scripts": { "start": "node src/server.js" } }\n',
  'src/server.js':
    'import http from "node:http";\nhttp.createServer((q, s) => s.end("kiosk")).listen(3000);\n',
  'src/lib/format.js': 'export const price = (n) => `$${n.toFixed(2)}`;\n',
};

/** Where the binary file is. */
export const LOGO_PATH = 'public/logo.png';

/** What the import leaves out, by reason. */
export const IMPORTABLE_SKIPPED = {
  dependencies: 'node_modules/left-pad/index.js',
  symlink: 'src/current.js',
  submodule: 'vendor/widgets',
} as const;

/** The one other branch, and a file only it has. */
export const OTHER_BRANCH = 'next';
export const OTHER_BRANCH_FILE = 'NEXT.md';
