/**
 * Whose failure a failed command is: the code's (the debug loop can fix it) or the environment's (the
 * network, TLS trust, the registry, the disk, a tool missing from the sandbox image, the sandbox
 * itself: no change to the project fixes it, so it goes to the user and the platform's retries, never
 * to a model as a bug).
 *
 * The rules are deliberately narrow: a wrong "environment" hides a bug the agents could fix behind a
 * paused run, so anything not matched below is code. In order:
 *
 * 1. The disk: `ENOSPC: no space left on device` or a quota (`EDQUOT`) in any command's output.
 * 2. The sandbox: the container runtime's own error (`OCI runtime exec failed`), or the inotify limit
 *    of file watchers.
 * 3. A missing system tool: the shell's `NAME: not found` (or `env: NAME`, `spawn NAME ENOENT`) for a
 *    tool the image should have (`git`, `python3`, `make`...). A name the project provides itself (a
 *    package's binary such as `vitest`, a script path) is code: the fix is to declare or write it.
 * 4. Only for a command that was given the network (it installs dependencies):
 *    - npm's own `npm error code X` / `npm ERR! code X` line decides when there is one: network codes
 *      (`ENOTFOUND`, `EAI_AGAIN`, `ECONNREFUSED`, `ETIMEDOUT`...), certificate codes
 *      (`SELF_SIGNED_CERT_IN_CHAIN`, `UNABLE_TO_GET_ISSUER_CERT_LOCALLY`...), the registry refusing or
 *      failing (`E401`, `E403`, `E5xx`), a proxy (`E407`) or the workspace not writable (`EACCES`). Every
 *      other code is the project's: `E404` (a misspelt name), `ETARGET` (no such version), `ERESOLVE`,
 *      `EINTEGRITY`, a lifecycle script's exit (`code 1`), with one exception: a package's install
 *      script that downloads (a browser, an engine binary) and could not resolve a remote host name or
 *      trust its certificate. A script failing on a local service (`connect ECONNREFUSED 127.0.0.1`,
 *      a host name without a dot such as `db`) stays the code's.
 *    - without npm's line (pnpm, yarn): a fetch of a URL that failed for a network or certificate reason
 *      (`request to URL failed, reason: ...`, `ERR_PNPM_META_FETCH_FAIL`, `error sending request for url`).
 *    - an install the sandbox's memory limit killed (the runner says so; a test or a build that runs
 *      out of memory is the code's), or one that timed out without saying anything of its own.
 *
 * So a test that prints `ECONNREFUSED` because the app under test is not listening is code (the command
 * had no network), and so is a command other than the install that tried to download something (the
 * sandbox has no network by design; the fix is to declare the dependency).
 */

/** Which part of the environment failed. */
export type EnvironmentCause =
  'network' | 'tls' | 'registry' | 'proxy' | 'disk' | 'memory' | 'tool' | 'sandbox';

export type FailureKind =
  | { kind: 'code' }
  | {
      kind: 'environment';
      cause: EnvironmentCause;
      /** What failed, in a few words of its own output (`getaddrinfo ENOTFOUND example.test`). */
      detail: string;
      /** What failed and what to do about it, for the user (and the operator they pass it to). */
      advice: string;
    };

/** A failed command, as the Executor saw it end. */
export interface CommandFailure {
  command: string;
  output: string;
  timedOut: boolean;
  /** The command was given the network (it installs dependencies). */
  network: boolean;
  /** The sandbox's memory limit killed a process while it ran (the runner says so). */
  oomKilled?: boolean;
}

const CODE: FailureKind = { kind: 'code' };

/** Tools a sandbox image provides or lacks; none of them is something the project can declare. */
const SYSTEM_TOOLS = new Set([
  'git',
  'python',
  'python3',
  'pip',
  'pip3',
  'make',
  'cmake',
  'gcc',
  'g++',
  'cc',
  'c++',
  'clang',
  'ld',
  'curl',
  'wget',
  'bash',
  'tar',
  'gzip',
  'unzip',
  'zip',
  'xz',
  'ssh',
  'openssl',
  'node',
  'npm',
  'npx',
  'pnpm',
  'yarn',
  'corepack',
  'java',
  'javac',
  'go',
  'cargo',
  'rustc',
  'ruby',
  'gem',
  'php',
  'perl',
  'sqlite3',
  'psql',
  'chromium',
  'xvfb-run',
  'ffmpeg',
]);

const NETWORK_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_TIMEOUT',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTUNREACH',
  'ECONNABORTED',
]);

const TLS_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
]);

/** npm's HTTP error codes that are the registry's or the proxy's doing, not the project's. */
const REGISTRY_CODES = new Set(['E401', 'E403', 'E429', 'E500', 'E502', 'E503', 'E504']);

/** npm's file-system codes on the workspace: it is not writable, which the sandbox should ensure. */
const WORKSPACE_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/** Certificate problems as Node and OpenSSL word them (pnpm and yarn print the reason, not the code). */
const TLS_TEXT =
  /self[- ]signed certificate|unable to get (?:local )?issuer certificate|unable to verify the first certificate|certificate has expired|certificate is not yet valid/i;

const ADVICE: Record<EnvironmentCause, string> = {
  network:
    'The sandbox could not reach the package registry. Check that the sandbox-runner’s host can reach it, or have the operator set a reachable registry mirror (SANDBOX_NPM_REGISTRY) or proxy (SANDBOX_HTTPS_PROXY) for the sandbox-runner.',
  tls: 'The sandbox does not trust the certificate the registry (or a TLS-inspecting proxy on the way) presents. The operator gives the sandbox-runner that CA certificate (SANDBOX_CA_CERTS); do not turn certificate checks off.',
  registry:
    'The package registry refused or failed the request. Check the registry’s credentials and health, or have the operator point the sandbox-runner at a registry that serves these packages (SANDBOX_NPM_REGISTRY).',
  proxy:
    'The proxy between the sandbox and the registry asks for credentials. The operator sets a proxy URL with them for the sandbox-runner (SANDBOX_HTTPS_PROXY).',
  memory:
    'Installing the dependencies took more memory than the sandbox has. The operator raises the memory limit of sandboxes.',
  disk: 'The sandbox ran out of disk space. Delete large generated files or ask the operator for a larger workspace quota.',
  tool: 'The sandbox image lacks a tool this project needs. The operator adds it to the sandbox image, or the project can be changed to do without it (say so in the chat).',
  sandbox:
    'The sandbox itself failed, not the project. It is usually temporary; if it keeps happening, tell the operator.',
};

function environment(cause: EnvironmentCause, detail: string): FailureKind {
  return { kind: 'environment', cause, detail: detail.trim().slice(0, 200), advice: ADVICE[cause] };
}

/** The tool a shell (or `env`, or Node's spawn) could not find, if the output says so. */
function missingTool(output: string): string | null {
  const patterns = [
    // dash `sh: 1: git: not found`, busybox `/bin/sh: git: not found`, bash `bash: line 1: git: command not found`
    /^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|dash|ash|zsh)(?:: line \d+)?(?:: \d+)?: ([^\s:/]+): (?:command )?not found\s*$/gm,
    // a script's `#!/usr/bin/env python3`
    /^(?:\/usr\/bin\/)?env: ['‘]?([^\s'’:/]+)['’]?: No such file or directory\s*$/gm,
    // Node spawning it (a test, a build tool), npm running git for a git dependency
    /\bspawn ([^\s/]+) ENOENT\b/g,
    /^npm (?:error|ERR!) syscall spawn ([^\s/]+)\s*$/gm,
  ];
  for (const pattern of patterns) {
    for (const match of output.matchAll(pattern)) {
      const name = match[1]!;
      if (SYSTEM_TOOLS.has(name)) return name;
    }
  }
  return null;
}

/** npm's error code (`npm error code E404`, or `npm ERR! code E404` before npm 10). */
function npmCode(output: string): string | null {
  return /^npm (?:error|ERR!) code (\S+)\s*$/m.exec(output)?.[1] ?? null;
}

/** The line that says most about npm's failure (its `request to ... failed` line, else its code). */
function npmDetail(output: string, code: string): string {
  const line = /^npm (?:error|ERR!) (?:network |FetchError: )?(request to \S+ failed.*)$/m.exec(output)?.[1];
  return line ? `${code}: ${line}` : code;
}

/** A download by a package's install script that failed for the network's or TLS's reasons. */
function failedDownload(output: string): FailureKind | null {
  const unresolved = /\bgetaddrinfo (?:ENOTFOUND|EAI_AGAIN) [\w-]+(?:\.[\w-]+)+/.exec(output);
  if (unresolved) return environment('network', unresolved[0]);
  const untrusted = TLS_TEXT.exec(output);
  return untrusted ? environment('tls', untrusted[0]) : null;
}

function fromNpmCode(code: string, output: string): FailureKind {
  if (code === '1' || code === 'ELIFECYCLE') return failedDownload(output) ?? CODE;
  const detail = npmDetail(output, code);
  if (NETWORK_CODES.has(code)) return environment('network', detail);
  if (TLS_CODES.has(code) || code.startsWith('ERR_SSL_')) return environment('tls', detail);
  if (code === 'E407') return environment('proxy', detail);
  if (REGISTRY_CODES.has(code)) return environment('registry', detail);
  if (WORKSPACE_CODES.has(code)) return environment('sandbox', detail);
  return CODE;
}

/** A failed fetch as pnpm, yarn or older tools print it (they have no `npm error code` line). */
function fromFetchError(output: string): FailureKind | null {
  const request = /request to (\S+) failed, reason: (.*)$/m.exec(output);
  if (request) {
    const [line, , reason] = request;
    if (TLS_TEXT.test(reason!)) return environment('tls', line);
    const code = /\b(E[A-Z_]+)\b/.exec(reason!)?.[1];
    if (code && NETWORK_CODES.has(code)) return environment('network', line);
    if (code && TLS_CODES.has(code)) return environment('tls', line);
  }
  const pnpm = /\bERR_PNPM_(?:META_FETCH_FAIL|FETCH_(401|403|407|5\d\d))\b.*$/m.exec(output);
  if (pnpm) {
    const status = pnpm[1];
    if (!status)
      return TLS_TEXT.test(pnpm[0]) ? environment('tls', pnpm[0]) : environment('network', pnpm[0]);
    return environment(status === '407' ? 'proxy' : 'registry', pnpm[0]);
  }
  // pnpm 11+ (its Rust core): the request never got an answer (refused, unresolved, untrusted).
  const unsent = /Failed\s+to\s+fetch\s+metadata\s+from\s+(\S+):\s+error\s+sending\s+request/.exec(output);
  if (unsent) return environment('network', `could not fetch ${unsent[1]}`);
  const connect =
    /\b(?:getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|connect (?:ECONNREFUSED|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH))\b.*$/m.exec(
      output,
    );
  if (connect) return environment('network', connect[0]);
  if (TLS_TEXT.test(output)) return environment('tls', TLS_TEXT.exec(output)![0]);
  return null;
}

/** Classifies a failed command (see the module's comment for the rules). */
export function classifyFailure(failure: CommandFailure): FailureKind {
  const { output } = failure;
  const disk = /\bENOSPC\b:? no space left on device|\bEDQUOT\b|disk quota exceeded/i.exec(output);
  if (disk) return environment('disk', disk[0]);
  const runtime = /OCI runtime (?:exec|create|start) failed.*$/m.exec(output);
  if (runtime) return environment('sandbox', runtime[0]);
  const watchers = /System limit for number of file watchers reached/.exec(output);
  if (watchers) return environment('sandbox', watchers[0]);
  const tool = missingTool(output);
  if (tool) return environment('tool', `${tool}: not found`);
  if (!failure.network) return CODE;
  if (failure.oomKilled) return environment('memory', 'the install was killed for using too much memory');
  const code = npmCode(output);
  if (code) return fromNpmCode(code, output);
  const fetched = fromFetchError(output);
  if (fetched) return fetched;
  if (failure.timedOut) return environment('network', 'the install did not finish in time');
  return CODE;
}

/** What the user reads: which command failed, why it is not the code, and what to do. */
export function environmentMessage(command: string, failure: Extract<FailureKind, { kind: 'environment' }>) {
  return `\`${command}\` failed because of the environment, not the code (${failure.detail}). ${failure.advice}`;
}
