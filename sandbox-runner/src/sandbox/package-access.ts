/**
 * How sandboxes reach package registries wherever the runner's host can: the CA certificates the
 * operator configures (a TLS-inspecting proxy's, a private registry's), the registry and proxy to use,
 * and npm fetch settings that make an unreachable registry fail in seconds rather than minutes.
 * Turned into a read-only bind mount and environment variables of the sandbox container.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import type { NetworkPolicy } from '../contract.ts';

/** Where the operator's CA file appears inside every sandbox (read-only). */
export const SANDBOX_CA_CERTS_PATH = '/etc/samokoder/ca-certificates.pem';

export const PackageAccess = z.object({
  /** PEM file on the runner's host: CA certificates sandboxes trust besides Node's own. */
  caCertsFile: z.string().startsWith('/', 'must be an absolute path').optional(),
  /** The npm registry sandboxes install from; npm's default when unset. */
  npmRegistry: z.url({ protocol: /^https?$/ }).optional(),
  /** Proxies for the requests of sandboxes with the `egress` policy, and the hosts that bypass them. */
  httpsProxy: z.url({ protocol: /^https?$/ }).optional(),
  httpProxy: z.url({ protocol: /^https?$/ }).optional(),
  noProxy: z.string().optional(),
  /** npm's retries of a failed request (npm's default is 2, waiting 10 s then 60 s). */
  npmFetchRetries: z.number().int().min(0).max(10),
  /** npm's timeout of one request (npm's default is 5 minutes). */
  npmFetchTimeoutMs: z.number().int().min(1000),
});
export type PackageAccess = z.infer<typeof PackageAccess>;

/** The defaults: no CA, registry or proxy of the operator's; npm fails fast. */
export const DEFAULT_PACKAGE_ACCESS: PackageAccess = { npmFetchRetries: 1, npmFetchTimeoutMs: 30_000 };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Checks the CA file at start-up and returns how many certificates it holds. It must be readable by
 * the sandbox user, hold at least one certificate, and hold no private key (sandboxes would read it).
 */
export function checkCaCertsFile(path: string): number {
  let pem: string;
  let mode: number;
  try {
    pem = readFileSync(path, 'utf8');
    mode = statSync(path).mode;
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  // The file is bind-mounted as is; Docker's bind syntax separates fields with colons.
  if (path.includes(':')) throw new Error(`${path}: the path must not contain ':'`);
  if ((mode & 0o004) === 0) {
    throw new Error(`${path} is not readable by the sandbox user (uid 1000): chmod a+r ${path}`);
  }
  if (/PRIVATE KEY-----/.test(pem)) throw new Error(`${path} holds a private key; give only certificates`);
  const certificates = pem.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) throw new Error(`${path} holds no PEM certificate`);
  certificates.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new Error(`${path}: certificate ${i + 1} does not parse: ${(err as Error).message}`, {
        cause: err,
      });
    }
  });
  return certificates.length;
}

/** Variables that point TLS clients at a CA file: Node adds it to its own list; OpenSSL-based tools
 * (curl, git, Python) use it as their whole list, which is why the file should be a full bundle. */
const CA_FILE_VARIABLES = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'CURL_CA_BUNDLE',
  'GIT_SSL_CAINFO',
  'REQUESTS_CA_BUNDLE',
];

/** In-sandbox addresses never go through a proxy (the app's own server, its tests' requests). */
const LOCAL_HOSTS = ['localhost', '127.0.0.1', '::1'];

/** Environment variables of a sandbox with this network policy. */
export function packageAccessEnv(access: PackageAccess, network: NetworkPolicy): Record<string, string> {
  const env: Record<string, string> = {
    npm_config_fetch_retries: String(access.npmFetchRetries),
    npm_config_fetch_retry_mintimeout: '2000',
    npm_config_fetch_retry_maxtimeout: '10000',
    npm_config_fetch_timeout: String(access.npmFetchTimeoutMs),
    // The notifier asks the registry for npm's latest version on the side: noise in a sandbox.
    npm_config_update_notifier: 'false',
  };
  if (access.npmRegistry) env.npm_config_registry = access.npmRegistry;
  if (access.caCertsFile) for (const name of CA_FILE_VARIABLES) env[name] = SANDBOX_CA_CERTS_PATH;
  // Proxy URLs may carry credentials: only sandboxes that have a network get them.
  if (network === 'egress' && (access.httpsProxy || access.httpProxy)) {
    const noProxy = [...LOCAL_HOSTS, ...(access.noProxy?.split(',') ?? [])]
      .map((h) => h.trim())
      .filter(Boolean)
      .join(',');
    const set = (name: string, value: string) => {
      env[name] = value;
      env[name.toLowerCase()] = value;
    };
    if (access.httpsProxy) {
      set('HTTPS_PROXY', access.httpsProxy);
      env.npm_config_https_proxy = access.httpsProxy;
    }
    if (access.httpProxy) {
      set('HTTP_PROXY', access.httpProxy);
      env.npm_config_proxy = access.httpProxy;
    }
    set('NO_PROXY', noProxy);
    env.npm_config_noproxy = noProxy;
  }
  return env;
}

/** Host files a sandbox sees (read-only): the CA file. */
export function packageAccessFiles(access: PackageAccess): { source: string; target: string }[] {
  return access.caCertsFile ? [{ source: access.caCertsFile, target: SANDBOX_CA_CERTS_PATH }] : [];
}

/** A URL without its user and password, for logs. */
export function withoutCredentials(url: string | undefined): string | undefined {
  if (!url) return url;
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

/** The settings as the runner logs them at start: what sandboxes get, without credentials. */
export function packageAccessSummary(access: PackageAccess): Record<string, string | number | undefined> {
  return {
    caCertsFile: access.caCertsFile,
    npmRegistry: withoutCredentials(access.npmRegistry),
    httpsProxy: withoutCredentials(access.httpsProxy),
    httpProxy: withoutCredentials(access.httpProxy),
    npmFetchRetries: access.npmFetchRetries,
    npmFetchTimeoutMs: access.npmFetchTimeoutMs,
  };
}
