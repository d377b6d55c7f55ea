/**
 * A private certificate authority and a server certificate it signed, made with the `openssl` CLI
 * (Node has no API that issues certificates). Tests use it to serve a registry over HTTPS that only a
 * client given the CA trusts, as a TLS-inspecting proxy's re-signed certificates are.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** Files of a private CA and of a server certificate for some IP addresses. */
export interface TestTls {
  /** The CA's certificate (PEM): what a client must trust. */
  caCertFile: string;
  /** The server's private key (PEM). */
  serverKeyFile: string;
  /** The server's certificate followed by the CA's: the chain the server sends. */
  serverChainFile: string;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    const missing = (err as { code?: string }).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed (apt-get install -y openssl)'
        : `openssl ${args[0]} failed: ${stderr ?? String(err)}`,
      { cause: err },
    );
  }
}

/**
 * Writes a fresh CA (valid two days) and a certificate for `names` (IP addresses or host names) signed
 * by it into `dir`. The CA is new on every call: nothing else trusts it.
 */
export function createTestTls(dir: string, names: string[]): TestTls {
  if (names.length === 0) throw new Error('a certificate needs at least one name');
  mkdirSync(dir, { recursive: true });
  const curve = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...curve,
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=Samokoder test registry CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  openssl(['req', ...curve, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${names[0]}`], dir);
  writeFileSync(
    join(dir, 'server.ext'),
    [
      `subjectAltName=${names.map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`)).join(',')}`,
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      '',
    ].join('\n'),
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  // The chain includes the self-signed root, so a client without the CA sees what a client behind an
  // inspecting proxy sees: SELF_SIGNED_CERT_IN_CHAIN.
  const chain = readFileSync(join(dir, 'server.crt'), 'utf8') + readFileSync(join(dir, 'ca.crt'), 'utf8');
  writeFileSync(join(dir, 'server-chain.crt'), chain);
  return {
    caCertFile: join(dir, 'ca.crt'),
    serverKeyFile: join(dir, 'server.key'),
    serverChainFile: join(dir, 'server-chain.crt'),
  };
}
