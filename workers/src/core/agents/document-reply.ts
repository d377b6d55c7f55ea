/**
 * The document in a text reply (the README): models wrap it though told not to, in a fence (```markdown
 * … ```), in prose around that fence ("Here is the README for your app:" … "Let me know if…"), or after
 * a reasoning block (`<think>…</think>`). The wrapping is dropped; the document's own code blocks stay.
 */

/** Reasoning models (DeepSeek-R1, Qwen3 and their kin) think aloud before answering. */
const REASONING = /<(think|thinking)>[\s\S]*?<\/\1>/gi;

/** The whole reply is one fence (any of markdown, md or no language). */
const WHOLE_FENCE = /^```(?:markdown|md)?[ \t]*\r?\n([\s\S]*?)\r?\n```$/i;

/** A line opening a fence that says it holds Markdown. */
const MARKDOWN_FENCE = /^```(?:markdown|md)[ \t]*$/im;

/** The document of a reply, ending with one line break. */
export function documentOf(reply: string): string {
  const text = reply.replace(REASONING, '').trim();
  const whole = WHOLE_FENCE.exec(text);
  if (whole) return `${whole[1]!.trim()}\n`;
  const open = MARKDOWN_FENCE.exec(text);
  // A wrapper is opened before the document starts: after a heading, the fence is the document's own.
  if (open && !/^#/m.test(text.slice(0, open.index))) {
    // The document runs to the last bare fence line: the code blocks inside it have fences of their own.
    const body = text.slice(open.index + open[0].length);
    const closings = [...body.matchAll(/^```[ \t]*$/gm)];
    const last = closings.at(-1);
    return `${(last ? body.slice(0, last.index) : body).trim()}\n`;
  }
  return `${text}\n`;
}
