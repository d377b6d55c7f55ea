/**
 * The local stack's runner gets the host's way to package registries, so sandboxes install wherever
 * the host can: its extra CA file (`NODE_EXTRA_CA_CERTS`, else npm's `cafile`), npm's registry and its
 * proxy settings, as the runner's `SANDBOX_*` variables. What the operator set as `SANDBOX_*` wins;
 * what a sandbox could not use (an unreadable file, a loopback address) is left out with a warning.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Logger } from './service.ts';

/** The npm settings this module reads (`npm config get`); absent when unset. */
export interface NpmSettings {
  cafile?: string;
  registry?: string;
  'https-proxy'?: string;
  proxy?: string;
  noproxy?: string;
}

const NPM_KEYS = ['cafile', 'registry', 'https-proxy', 'proxy', 'noproxy'] as const;

/** The host's npm settings, from the npm on PATH (config files and environment); empty when npm fails. */
export function readNpmSettings(env: NodeJS.ProcessEnv = process.env): Promise<NpmSettings> {
  return new Promise((resolve) => {
    execFile('npm', ['config', 'get', ...NPM_KEYS], { env, timeout: 15_000 }, (err, stdout) => {
      if (err) return resolve({});
      const settings: NpmSettings = {};
      for (const line of stdout.split('\n')) {
        const at = line.indexOf('=');
        const key = line.slice(0, at) as (typeof NPM_KEYS)[number];
        const value = line.slice(at + 1).trim();
        if (at > 0 && NPM_KEYS.includes(key) && value && value !== 'null' && value !== 'undefined') {
          settings[key] = value;
        }
      }
      resolve(settings);
    });
  });
}

/** Whether a URL points at this host's loopback, which inside a sandbox is the sandbox itself. */
function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  } catch {
    return false;
  }
}

/** A URL without its user and password, for the log. */
function shown(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * The runner's `SANDBOX_*` variables for this host. Pure: `env` is the stack's environment, `npm` the
 * host's npm settings.
 */
export function hostPackageAccess(
  env: NodeJS.ProcessEnv,
  npm: NpmSettings,
  log: Logger = () => {},
): Record<string, string> {
  const out: Record<string, string> = {};
  const ca = env.SANDBOX_CA_CERTS || env.NODE_EXTRA_CA_CERTS || npm.cafile;
  if (ca && !env.SANDBOX_CA_CERTS) {
    let mode = 0;
    try {
      mode = statSync(ca).mode;
    } catch {
      // missing: reported below
    }
    if (mode & 0o004) out.SANDBOX_CA_CERTS = ca;
    else
      log(
        `sandboxes: not trusting ${ca} (missing, or not readable by all: chmod a+r, or set SANDBOX_CA_CERTS)`,
      );
  }
  const urls: [string, string | undefined][] = [
    ['SANDBOX_NPM_REGISTRY', env.SANDBOX_NPM_REGISTRY ? undefined : npm.registry],
    [
      'SANDBOX_HTTPS_PROXY',
      env.SANDBOX_HTTPS_PROXY ? undefined : npm['https-proxy'] || env.HTTPS_PROXY || env.https_proxy,
    ],
    [
      'SANDBOX_HTTP_PROXY',
      env.SANDBOX_HTTP_PROXY ? undefined : npm.proxy || env.HTTP_PROXY || env.http_proxy,
    ],
  ];
  for (const [name, url] of urls) {
    if (!url) continue;
    if (isLoopback(url))
      log(`sandboxes: ${name} left unset: ${shown(url)} is this host's loopback, not theirs`);
    else out[name] = url;
  }
  const noProxy = env.SANDBOX_NO_PROXY ? undefined : npm.noproxy || env.NO_PROXY || env.no_proxy;
  if (noProxy && (out.SANDBOX_HTTPS_PROXY || out.SANDBOX_HTTP_PROXY)) out.SANDBOX_NO_PROXY = noProxy;
  return out;
}

/** One line saying what sandboxes get (no credentials). */
export function describePackageAccess(vars: Record<string, string>): string {
  const parts = [
    vars.SANDBOX_CA_CERTS && `trust ${vars.SANDBOX_CA_CERTS}`,
    vars.SANDBOX_NPM_REGISTRY && `npm registry ${shown(vars.SANDBOX_NPM_REGISTRY)}`,
    vars.SANDBOX_HTTPS_PROXY && `HTTPS proxy ${shown(vars.SANDBOX_HTTPS_PROXY)}`,
    vars.SANDBOX_HTTP_PROXY && `HTTP proxy ${shown(vars.SANDBOX_HTTP_PROXY)}`,
  ].filter(Boolean);
  return parts.length ? `sandboxes: ${parts.join(', ')} (from this host)` : 'sandboxes: npm defaults';
}
