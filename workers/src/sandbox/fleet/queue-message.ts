/** What the UI says while a project waits for a sandbox ("Waiting for a sandbox: 2nd in line"). */

/** `2` → `2nd`, `11` → `11th`, `23` → `23rd`. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** The line of the `sandbox.queue` event: the place in line, or that the wait is over. */
export function queueMessage(position: number | null): string {
  if (position === null) return 'A sandbox is free: the project goes on.';
  return `Waiting for a sandbox: ${ordinal(position)} in line. Every runner is busy; the project goes on as soon as one has room.`;
}
