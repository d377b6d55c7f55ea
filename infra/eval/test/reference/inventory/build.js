// The build step: proves the README's install steps ran (in the app's folder) before it started.
import { writeFileSync } from 'node:fs';

writeFileSync('build-info.json', JSON.stringify({ built: true }));
