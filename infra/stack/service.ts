import type { ManagedProcess } from './process.ts';

/** What starting one piece of the stack produced. */
export type ServiceResult =
  | { name: string; state: 'started' | 'reused' | 'external'; url: string; process?: ManagedProcess }
  | { name: string; state: 'missing' | 'failed'; reason: string; hint: string };

export type Logger = (line: string) => void;

export type RunningService = Extract<ServiceResult, { url: string }>;

/** True for a service that can be used (started here, already running, or external). */
export function isRunning(result: ServiceResult): result is RunningService {
  return result.state === 'started' || result.state === 'reused' || result.state === 'external';
}
