/** Prints live events of a run as a readable terminal log. */
import type { ServerEvent } from '../../workers/src/protocol.ts';

const dim = (s: string) => `\x1b[2m${s}\x1b[0m`;
const bold = (s: string) => `\x1b[1m${s}\x1b[0m`;
const red = (s: string) => `\x1b[31m${s}\x1b[0m`;
const green = (s: string) => `\x1b[32m${s}\x1b[0m`;

/** Why a step starts again, as the log says it (an answer resumes the step: it is not a retry). */
const RERUN: Record<NonNullable<Extract<ServerEvent, { type: 'step.started' }>['rerun']>, string> = {
  answer: 'continues with your answer',
  retry: 'tried again',
  restart: 'restarted',
};

export type Write = (text: string) => void;

/** Returns a function that prints one event; streamed text and command output are written as they come. */
export function eventPrinter(write: Write): (e: ServerEvent) => void {
  let inline = false;
  const line = (text: string) => {
    if (inline) write('\n');
    inline = false;
    write(`${text}\n`);
  };
  return (e) => {
    switch (e.type) {
      case 'run.status':
        return line(bold(`▶ run ${e.status}${e.reason ? `: ${e.reason.message}` : ''}`));
      case 'step.started':
        return line(`\n${bold(`── ${e.agent}`)} ${e.title}${e.rerun ? dim(` (${RERUN[e.rerun]})`) : ''}`);
      case 'step.failed':
        return line(red(`! ${e.agent} failed: ${e.error}${e.willRetry ? ' (will retry)' : ''}`));
      case 'message':
        return line(`${e.role === 'user' ? bold('you') : (e.agent ?? 'system')}: ${e.text}`);
      case 'stream.start':
        line(dim(`${e.agent} writes:`));
        return;
      case 'stream.delta':
        write(dim(e.text));
        inline = !e.text.endsWith('\n');
        return;
      case 'stream.end':
        return line('');
      case 'question':
        return line(`? ${e.text}${e.default ? dim(` [default: ${e.default}]`) : ''}`);
      case 'question.answered':
        return line(`  → ${e.answer} ${dim(`(${e.by})`)}`);
      case 'command.start':
        return line(bold(`$ ${e.command}`));
      case 'command.output':
        write(dim(e.data));
        inline = !e.data.endsWith('\n');
        return;
      case 'command.exit':
        return line(
          e.exitCode === 0
            ? green(`✓ exit 0 in ${Math.round(e.durationMs)} ms`)
            : red(`✗ ${e.timedOut ? 'timed out' : `exit ${e.exitCode}`} in ${Math.round(e.durationMs)} ms`),
        );
      case 'files.changed':
        return line(
          dim(
            `  files: ${e.changes.map((c) => `${c.op === 'create' ? '+' : c.op === 'delete' ? '-' : '~'}${c.path}`).join(' ')}`,
          ),
        );
      case 'task':
        return line(bold(`== task "${e.title}" ${e.status}`));
      case 'artifact':
        return line(dim(`  [${e.kind}] ${JSON.stringify(e.data).slice(0, 200)}`));
      case 'usage':
      case 'step.completed':
      case 'step.aborted':
      case 'branch.created':
        return;
    }
  };
}
