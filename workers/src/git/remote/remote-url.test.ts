import { describe, expect, it } from 'vitest';
import { checkRemoteUrl, isBranchName } from './remote-url.ts';

describe('a remote repository’s URL', () => {
  it('is https to a public host in a hosted deployment, normalised without a trailing slash', () => {
    expect(checkRemoteUrl(' https://github.com/ada/app.git/ ', false)).toEqual({
      ok: true,
      url: 'https://github.com/ada/app.git',
    });
    expect(checkRemoteUrl('https://gitlab.example.com/group/sub/app', false)).toMatchObject({ ok: true });
  });

  it('never names an internal address in a hosted deployment', () => {
    for (const url of [
      'https://127.0.0.1/a.git',
      'https://localhost/a.git',
      'https://10.0.0.5/a.git',
      'https://192.168.1.1/a.git',
      'https://169.254.169.254/latest',
      'https://[::1]/a.git',
      'https://git.internal.local/a.git',
      'http://github.com/ada/app.git',
    ]) {
      expect(checkRemoteUrl(url, false), url).toMatchObject({ ok: false });
    }
  });

  it('may be plain http on loopback in development and tests', () => {
    expect(checkRemoteUrl('http://127.0.0.1:9418/app.git', true)).toEqual({
      ok: true,
      url: 'http://127.0.0.1:9418/app.git',
    });
  });

  it('carries no credentials, query or fragment', () => {
    expect(checkRemoteUrl('https://x:secret@github.com/a.git', false)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/token field/),
    });
    expect(checkRemoteUrl('https://github.com/a.git?x=1', false)).toMatchObject({ ok: false });
  });
});

describe('a branch name', () => {
  it('is one git accepts', () => {
    for (const name of ['main', 'release/1.0', 'feature_x-2']) expect(isBranchName(name), name).toBe(true);
    for (const name of ['', 'a..b', '/main', 'main/', '-x', 'a b', '.hidden', 'x.lock', 'a//b']) {
      expect(isBranchName(name), name).toBe(false);
    }
  });
});
