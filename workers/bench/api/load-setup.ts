/**
 * The load benchmark's setup and its live check: signed-up users with projects to read, live viewers
 * following projects that run a scripted pipeline, and, once the runs stop, the events each viewer missed.
 */
import { sleep } from '../../../infra/stack/process.ts';
import { startStack, type Stack } from '../../../infra/stack/stack.ts';
import { LiveViewer } from './load-viewer.ts';
import { createProject, liveUrl, registerUser, type LoadUser } from './load-traffic.ts';

/**
 * The stack the load runs against: the test profile (its Worker has the scripted pipeline the viewers'
 * projects run), without a runner, with rate limits raised: the benchmarks measure capacity, not limits.
 * The database is TEST_DATABASE_URL's, or the embedded one when it is unset.
 */
export function startLoadStack(): Promise<Stack> {
  return startStack({
    profile: 'test',
    withoutRunner: true,
    workerVars: {
      RATE_LIMITS: JSON.stringify({
        auth: { limit: 100_000, windowSeconds: 60 },
        api: { limit: 1_000_000, windowSeconds: 60 },
        projectCreate: { limit: 1_000_000, windowSeconds: 60 },
      }),
    },
  });
}

/** Projects each user owns for the loops to read and rename. */
export const PROJECTS_PER_USER = 3;

/** A run that ticks (an LLM call and a message per step) for longer than the load lasts. */
function tickingScript(seconds: number): string {
  return JSON.stringify({
    steps: [
      {
        title: 'tick',
        repeat: Math.ceil((seconds * 1000) / 50),
        actions: [{ llm: 'tick', reply: 'tock', delayMs: 100, costMicros: 1 }, { say: 'tick' }],
      },
    ],
  });
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) {
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, j) => make(i + j)))),
    );
  }
  return out;
}

/** `users` new accounts with PROJECTS_PER_USER projects each, signed up 10 at a time. */
export async function seedUsers(base: string, users: number): Promise<LoadUser[]> {
  return inBatches(users, 10, async (i) => {
    const token = await registerUser(base, String(i));
    const projects: string[] = [];
    for (let p = 0; p < PROJECTS_PER_USER; p++) {
      projects.push(
        await createProject(base, token, { name: `Load ${i}.${p}`, description: 'A project to read.' }),
      );
    }
    return { token, projects };
  });
}

/** A running project and the viewers following it. */
export interface LiveProject {
  owner: LoadUser;
  id: string;
  viewers: LiveViewer[];
}

/**
 * `viewers` live viewers, 10 per project, on projects that run a scripted pipeline ticking for longer
 * than `seconds` once started (`start`: the first viewer of each sends `control: start`).
 */
export async function openViewers(
  base: string,
  users: LoadUser[],
  viewers: number,
  seconds: number,
): Promise<LiveProject[]> {
  const live: LiveProject[] = [];
  for (let p = 0; p < Math.ceil(viewers / 10); p++) {
    const owner = users[p % users.length]!;
    const id = await createProject(base, owner.token, {
      name: `Live ${p}`,
      description: tickingScript(seconds),
      pipeline: 'scripted',
      mode: 'autopilot',
    });
    const count = Math.min(10, viewers - p * 10);
    const opened = await Promise.all(
      Array.from({ length: count }, async () => LiveViewer.open(await liveUrl(base, owner.token, id, 0))),
    );
    for (const viewer of opened) {
      if (!(await viewer.until(() => viewer.synced, 30_000))) throw new Error('a viewer was never synced');
    }
    live.push({ owner, id, viewers: opened });
  }
  return live;
}

/**
 * How many events the project's log holds: a fresh viewer's hello says. The benchmark's own check,
 * so it tries again (for 30 s) where a user would, instead of failing the run on one busy answer.
 */
async function logLength(base: string, project: LiveProject): Promise<number> {
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const checker = await LiveViewer.open(await liveUrl(base, project.owner.token, project.id));
      await checker.until(() => checker.helloLastSeq >= 0, 30_000);
      checker.close();
      if (checker.helloLastSeq >= 0) return checker.helloLastSeq;
    } catch {
      await sleep(1000);
    }
  }
  return -1;
}

/** Stops the runs, then counts, per viewer, the events of the project's log it never received. */
export async function eventsLost(
  base: string,
  live: LiveProject[],
): Promise<{ events: number; lost: number; dropped: number }> {
  for (const project of live) project.viewers[0]?.send({ type: 'control', action: 'stop' });
  let events = 0;
  let lost = 0;
  let dropped = 0;
  for (const project of live) {
    await project.viewers[0]?.until(() => project.viewers[0]!.ended, 60_000);
    const lastSeq = await logLength(base, project);
    if (lastSeq < 0) throw new Error(`could not read the event log of project ${project.id}`);
    for (const viewer of project.viewers) {
      await viewer.until(() => viewer.maxSeq >= lastSeq, 15_000);
      events += lastSeq;
      lost += viewer.missing(lastSeq);
      if (viewer.closedEarly) dropped++;
      viewer.close();
    }
  }
  return { events, lost, dropped };
}
