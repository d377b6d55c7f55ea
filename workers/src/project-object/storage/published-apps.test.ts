import { describe, expect, it } from 'vitest';
import { nodeSql } from '../testing/node-sql.ts';
import { PublishedAppsStore } from './published-apps.ts';

describe("the fleet's watch of published apps", () => {
  it('keeps one runner per app: a move replaces it, and an unpublish forgets the app', () => {
    const apps = new PublishedAppsStore(nodeSql());
    apps.track('p1', 'runner-a');
    apps.track('p2', 'runner-a');
    apps.track('p3', 'runner-b');
    expect(apps.runners()).toEqual(['runner-a', 'runner-b']);
    apps.track('p1', 'runner-c');
    expect(apps.projectsOn('runner-a')).toEqual(['p2']);
    apps.untrack('p3');
    expect(apps.all()).toEqual([
      { projectId: 'p1', runnerId: 'runner-c' },
      { projectId: 'p2', runnerId: 'runner-a' },
    ]);
  });

  it('drops an app handed back from a lost runner only while it is still recorded there', () => {
    const apps = new PublishedAppsStore(nodeSql());
    apps.track('p1', 'runner-a');
    // The project moved its app meanwhile: the watch's late drop leaves the new runner recorded.
    apps.track('p1', 'runner-b');
    apps.untrack('p1', 'runner-a');
    expect(apps.all()).toEqual([{ projectId: 'p1', runnerId: 'runner-b' }]);
    apps.untrack('p1', 'runner-b');
    expect(apps.all()).toEqual([]);
  });

  it('finds the runners of published apps that the directory no longer lists', () => {
    const apps = new PublishedAppsStore(nodeSql());
    expect(apps.lostRunners(new Set())).toEqual([]);
    apps.track('p1', 'runner-a');
    apps.track('p2', 'runner-b');
    apps.track('p3', 'runner-c');
    apps.track('p4', 'runner-c');
    expect(apps.lostRunners(new Set(['runner-b', 'runner-d']))).toEqual(['runner-a', 'runner-c']);
  });
});
