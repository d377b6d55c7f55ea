/**
 * How an app's container reaches package registries when a real model's app must install: the host's
 * npm registry, proxy and extra CA file (the same settings `npm start` gives the sandboxes).
 */
import { readNpmSettings } from '../stack/host-package-access.ts';

const CA_IN_CONTAINER = '/etc/samokoder-eval/ca.pem';

export async function hostPackageAccessForApps(): Promise<{
  env: Record<string, string>;
  mounts: Record<string, string>;
}> {
  const npm = await readNpmSettings();
  const env: Record<string, string> = {};
  const mounts: Record<string, string> = {};
  if (npm.registry) env.npm_config_registry = npm.registry;
  const proxy = npm['https-proxy'] ?? npm.proxy;
  if (proxy) Object.assign(env, { HTTPS_PROXY: proxy, HTTP_PROXY: proxy, npm_config_https_proxy: proxy });
  if (npm.noproxy) env.NO_PROXY = npm.noproxy;
  const ca = process.env.NODE_EXTRA_CA_CERTS ?? npm.cafile;
  if (ca) {
    mounts[ca] = CA_IN_CONTAINER;
    Object.assign(env, { NODE_EXTRA_CA_CERTS: CA_IN_CONTAINER, npm_config_cafile: CA_IN_CONTAINER });
  }
  return { env, mounts };
}
