/**
 * The project's app as the workspace shows it, from the live channel: the agents' start (the `preview`
 * artifact), the app follower's `app` events (updating, running, failed, stopped) and the page check.
 */
import type { AppState, CheckProblem, ServerEvent } from '@samokoder/workers/protocol';

export interface AppCheckView {
  status: 'passed' | 'failed' | 'skipped';
  summary: string;
  problems: CheckProblem[];
}

export interface AppView {
  state: AppState;
  message: string;
  /** The `seq` of the latest event after which the preview must be loaded again. */
  reloadSeq: number;
  check: AppCheckView | null;
}

/** The app view after `event` (the same view when the event is not about the app). */
export function nextAppView(view: AppView | null, event: ServerEvent): AppView | null {
  switch (event.type) {
    case 'artifact':
      if (event.kind !== 'preview') return view;
      return { state: 'running', message: 'The agents started the app.', reloadSeq: event.seq, check: null };
    case 'app':
      return {
        state: event.state,
        message: event.message,
        reloadSeq: event.reload ? event.seq : (view?.reloadSeq ?? 0),
        // A new state of the app makes the last check stale, until the next one.
        check: event.state === 'updating' ? null : (view?.check ?? null),
      };
    case 'app.check':
      return (
        view && { ...view, check: { status: event.status, summary: event.summary, problems: event.problems } }
      );
    default:
      return view;
  }
}
