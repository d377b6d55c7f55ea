import { describe, expect, it } from 'vitest';
import { MAX_RESTARTS, RestartPolicy } from '../../src/deployments/restart-policy.ts';

describe('the restart policy of a published app', () => {
  it('restarts a crashing app with a growing pause, then stops a crash loop', () => {
    const policy = new RestartPolicy();
    const delays = Array.from({ length: MAX_RESTARTS }, (_, i) => policy.next(i * 1000));
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
    expect(policy.next(MAX_RESTARTS * 1000)).toBeNull();
    expect(policy.total).toBe(MAX_RESTARTS);
  });

  it('forgets crashes older than a minute', () => {
    const policy = new RestartPolicy();
    for (let i = 0; i < MAX_RESTARTS; i++) policy.next(i);
    expect(policy.next(61_000)).toBe(250);
  });
});
