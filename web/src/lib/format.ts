/** Number, money, time and size formatting for display, in the browser's locale. */

const usd = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const usdPrecise = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(undefined);
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Micro-dollars (integers) as dollars; amounts under a cent keep up to 4 decimals. */
export function formatMicros(micros: number): string {
  const dollars = micros / 1_000_000;
  return dollars !== 0 && Math.abs(dollars) < 0.01 ? usdPrecise.format(dollars) : usd.format(dollars);
}

/** Dollars typed by a user (`"2.50"`, `"2,50"`) as micro-dollars; null when it is not an amount. */
export function parseDollars(text: string): number | null {
  const normal = text.trim().replace(/^\$/, '').replace(',', '.');
  if (!/^\d+(\.\d{0,6})?$/.test(normal)) return null;
  return Math.round(Number(normal) * 1_000_000);
}

/** Micro-dollars as a plain amount for an input (`2.5`). */
export function microsToInput(micros: number): string {
  return String(Math.round(micros / 10_000) / 100);
}

export function formatTokens(tokens: number): string {
  return tokens < 10_000 ? whole.format(tokens) : compact.format(tokens);
}

export function formatCount(n: number): string {
  return whole.format(n);
}

/** "3 minutes ago", "yesterday"; `now` is passed in so a ticking clock can re-render it. */
export function formatRelative(iso: string | number, now: number): string {
  const then = typeof iso === 'number' ? iso : Date.parse(iso);
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400) return relative.format(Math.round(seconds / 86400), 'day');
  return dateTime.format(then);
}

export function formatDateTime(iso: string | number): string {
  return dateTime.format(typeof iso === 'number' ? iso : Date.parse(iso));
}

/** A duration: "850 ms", "12.4 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds ? `${minutes} min ${seconds} s` : `${minutes} min`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
