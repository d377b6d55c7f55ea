/** Starts the runner: config from the environment (validated once), listen, graceful close on signals. */
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { readSecretFiles } from './secret-files.ts';

readSecretFiles(process.env);
const config = loadConfig();
const app = await buildApp(config);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: draining running commands');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ host: config.host, port: config.port });
} catch (err) {
  app.log.fatal({ err }, 'sandbox-runner failed to start');
  process.exit(1);
}
