/**
 * Markdown to HTML for the conversation, safe to insert: markdown-it with raw HTML off (a tag in the
 * text is shown as text, never parsed), no images (nothing loads from elsewhere), and links only to
 * http(s) URLs, opened in a new tab without access to this page. Only ever imported dynamically
 * (markdown.svelte): the parser is not part of any page's initial JavaScript.
 */
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({
  // The safety of inserting the result rests on this: raw HTML is escaped, not passed through.
  html: false,
  // A bare https://… in a message becomes a link, `README.md` does not (no guessing of domains).
  linkify: true,
  // Chat text: a single line break is a line break.
  breaks: true,
  typographer: false,
});
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });
md.disable(['image']);

/** Only absolute http(s) links; anything else (javascript:, data:, a path into this app) stays text. */
const isWebLink = (url: string) => /^https?:\/\/[^\s]/i.test(url.trim());
md.validateLink = isWebLink;

md.renderer.rules.link_open = (tokens, index, options, _env, self) => {
  const token = tokens[index]!;
  // validateLink already kept other links out; this holds even if a rule ever skipped it.
  if (!isWebLink(String(token.attrGet('href') ?? '')))
    token.attrs = (token.attrs ?? []).filter(([name]) => name !== 'href');
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return self.renderToken(tokens, index, options);
};

/**
 * A reply fenced as a whole (```markdown … ```, as models like to send a README) is Markdown to render,
 * not a code block; the closing fence may still be on its way while the reply streams in.
 */
const WHOLE_FENCE = /^\s*```(?:markdown|md)[^\S\n]*\n([\s\S]*?)(?:\n```\s*)?$/i;

/** The HTML of `text` as Markdown. */
export function renderMarkdown(text: string): string {
  return md.render(WHOLE_FENCE.exec(text)?.[1] ?? text);
}
