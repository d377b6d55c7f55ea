/**
 * Where to go after signing in: the `next` query parameter when it is a path of this app (never another
 * origin: `//evil.example` and `/\evil.example` are refused), else the dashboard.
 */
export function nextPath(url: URL): string {
  const next = url.searchParams.get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/projects';
  const target = new URL(next, url.origin);
  return target.origin === url.origin ? `${target.pathname}${target.search}${target.hash}` : '/projects';
}
