/** The page a person sees when a preview cannot be shown (an expired link, an app that stopped). */

const TITLES: Record<number, string> = {
  401: 'This preview needs a fresh link',
  404: 'This preview has ended',
  502: 'The app is not answering',
  503: 'The preview is not available right now',
};

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A small self-contained HTML page (no script, no external resource). */
export function errorPage(status: number, message: string, heading?: string): string {
  const title = heading ?? TITLES[status] ?? 'The preview failed';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;color:#334155;background:#f8fafc}main{max-width:28rem;padding:1.5rem}h1{font-size:1.1rem;margin:0 0 .5rem}</style>
</head><body><main><h1>${escape(title)}</h1><p>${escape(message)}</p></main></body></html>
`;
}
