/**
 * What publishing a project's app sends to the sandbox-runner: the files of its current branch and the
 * command, port and install the agents last started it with (the preview's recipe). A published app
 * runs them in a container of its own (sandbox-runner/src/deployments/).
 */
import { SYNC_MARKER } from '../core/agents/app-port.ts';
import type { SandboxFile } from '../core/ports.ts';
import { refusal, type Outcome } from '../core/refusal.ts';
import type { AppRecipe } from './preview.ts';

/** A file as the runner writes it: a binary one's content is base64. */
export interface PublishedFile {
  path: string;
  content: string;
  encoding?: 'base64';
  /** 0o755 for an executable file (absent: the runner's default, 0o644). */
  mode?: number;
}

export interface PublishSource {
  files: PublishedFile[];
  command: string;
  port: number;
  install: string | null;
}

/** The source to publish, or why there is none yet. */
export function publishSource(app: AppRecipe | null, files: () => SandboxFile[]): Outcome<PublishSource> {
  if (!app) {
    return refusal('conflict', 'The app has not been started yet: publish it once the agents have run it.');
  }
  const kept = files()
    .filter((f) => f.path !== SYNC_MARKER)
    .map(({ path, content, binary, executable }): PublishedFile => ({
      path,
      content,
      ...(binary ? { encoding: 'base64' as const } : {}),
      ...(executable ? { mode: 0o755 } : {}),
    }));
  if (kept.length === 0) return refusal('conflict', 'The project has no files to publish yet.');
  // The recipe's working directory and environment become part of its shell line.
  const quote = (v: string) => `'${v.replaceAll("'", "'\\''")}'`;
  const assignments = Object.entries(app.env ?? {}).map(([k, v]) => `${k}=${quote(v)} `);
  const command = `${app.cwd ? `cd ${quote(app.cwd)} && ` : ''}${assignments.join('')}${app.command}`;
  return {
    ok: true,
    value: { files: kept, command, port: app.port, install: app.install },
  };
}
