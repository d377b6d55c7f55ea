/**
 * The client's address for per-IP limits. Cloudflare sets CF-Connecting-IP and overwrites any value a
 * client sends, so it is trustworthy in production. IPv6 clients are grouped by their /64: one
 * subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientIp(headers: Headers): string {
  const ip = headers.get('cf-connecting-ip')?.trim();
  if (!ip) return 'unknown';
  return ip.includes(':') ? ipv6Prefix64(ip) : ip;
}

function ipv6Prefix64(ip: string): string {
  const address = ip.split('%')[0]!.toLowerCase();
  const [head = '', tail] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(Math.max(missing, 0)).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
