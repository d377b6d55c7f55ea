/**
 * Fresh preview links for a project's app. The agents start the app once, at the end of a run; its
 * preview link expires and its sandbox may be reaped while nobody looks. Asking for the preview
 * (the UI does whenever it shows it) gets a new link, starting the app again, and recreating its
 * sandbox from the project's files, when needed.
 */
import {
  SYNC_MARKER,
  type AppChanges,
  type AppCheck,
  type AppRefreshed,
  type AppStart,
  type AppStarted,
} from '../core/agents/app-port.ts';
import type { SandboxFile } from '../core/ports.ts';
import { refusal, type Outcome } from '../core/refusal.ts';
import { EventBody } from '../protocol.ts';
import type { EventLog } from './storage/events.ts';

/** How the app was last started: the preview artifact's command, port, install and dev-server flag. */
export type AppRecipe = AppStart & { install: string | null; watches: boolean };

/**
 * What a pipeline's binding offers for its app (absent: this pipeline's apps cannot run here): reopen
 * it for a fresh link, and bring it up to date with changed files.
 */
export interface PreviewPort {
  open(app: AppStart, files: () => SandboxFile[], install: string | null): Promise<AppStarted>;
  refresh(app: AppRecipe, changes: AppChanges, files: () => SandboxFile[]): Promise<AppRefreshed>;
  check(port: number): Promise<AppCheck>;
}

/** The project's files as a sandbox gets them in full: with the marker saying the workspace is whole. */
export function withSyncMarker(files: SandboxFile[], branch: number): SandboxFile[] {
  const kept = files.filter((f) => f.path !== SYNC_MARKER);
  const marker = `${JSON.stringify({ branch, files: kept.length })}\n`;
  return [...kept, { path: SYNC_MARKER, content: marker }];
}

/** A fresh link to the app, or why there is none. */
export type PreviewResult = Outcome<{ url: string }>;

/** How the app was last started (and is installed): the latest `preview` artifact of the event log. */
export function lastAppStart(log: EventLog): AppRecipe | null {
  for (const body of log.latestArtifacts(500)) {
    const event = EventBody.safeParse(JSON.parse(body));
    if (event.success && event.data.type === 'artifact' && event.data.kind === 'preview')
      return event.data.data;
  }
  return null;
}

export async function openPreview(deps: {
  log: EventLog;
  port: PreviewPort | undefined;
  branch: number;
  files: () => { path: string; content: string }[];
}): Promise<PreviewResult> {
  const app = lastAppStart(deps.log);
  if (!app) {
    return refusal(
      'conflict',
      'The app has not been started yet: the agents start it once its code is written.',
    );
  }
  if (!deps.port) {
    return refusal('unavailable', 'Apps cannot run here: no sandbox-runner is set up.');
  }
  const started = await deps.port.open(
    { command: app.command, port: app.port },
    () => withSyncMarker(deps.files(), deps.branch),
    app.install,
  );
  if (!started.ready || !started.previewUrl) {
    return refusal('conflict', `The app did not start. ${started.logs.slice(-400)}`.trim());
  }
  return { ok: true, value: { url: started.previewUrl } };
}
