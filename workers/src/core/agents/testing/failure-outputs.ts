/**
 * Test only: outputs of failed commands as real tools print them. The ones marked "recorded" were
 * recorded on a test machine (npm 11.19 against a closed loopback port, an HTTPS server on loopback
 * with a private CA, a loopback server answering 404; Node 22 writing to a full tmpfs; dash and bash),
 * with the log path shortened. The others have the shape npm, pnpm and vitest print, with a host name
 * of the reserved `.test` domain. The stack traces npm prints are cut to their first lines.
 */

/** Recorded: npm 11 against a registry port nothing listens on. */
export const NPM11_ECONNREFUSED = `npm error code ECONNREFUSED
npm error syscall connect
npm error errno ECONNREFUSED
npm error FetchError: request to http://127.0.0.1:9/left-pad failed, reason: connect ECONNREFUSED 127.0.0.1:9
npm error     at ClientRequest.<anonymous> (/usr/lib/node_modules/npm/node_modules/minipass-fetch/lib/index.js:130:14)
npm error     at ClientRequest.emit (node:events:519:28)
npm error   code: 'ECONNREFUSED',
npm error   errno: 'ECONNREFUSED',
npm error   syscall: 'connect',
npm error   address: '127.0.0.1',
npm error   port: 9,
npm error   type: 'system',
npm error   requiredBy: '.'
npm error }
npm error
npm error If you are behind a proxy, please make sure that the 'proxy' config is set properly.  See: 'npm help config'
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** npm 10/11 when the registry's name does not resolve. */
export const NPM10_ENOTFOUND = `npm error code ENOTFOUND
npm error syscall getaddrinfo
npm error errno ENOTFOUND
npm error network request to https://registry.example.test/left-pad failed, reason: getaddrinfo ENOTFOUND registry.example.test
npm error network This is a problem related to network connectivity.
npm error network In most cases you are behind a proxy or have bad network settings.
npm error network
npm error network If you are behind a proxy, please make sure that the
npm error network 'proxy' config is set properly.  See: 'npm help config'
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** npm 10/11 in a sandbox with no resolver. */
export const NPM_EAI_AGAIN = `npm error code EAI_AGAIN
npm error syscall getaddrinfo
npm error errno EAI_AGAIN
npm error request to https://registry.example.test/vite failed, reason: getaddrinfo EAI_AGAIN registry.example.test
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** Recorded: npm 11 through an HTTPS server whose chain ends in a CA the client does not trust. */
export const NPM11_SELF_SIGNED = `npm error code SELF_SIGNED_CERT_IN_CHAIN
npm error errno SELF_SIGNED_CERT_IN_CHAIN
npm error request to https://127.0.0.1:18443/left-pad failed, reason: self-signed certificate in certificate chain
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** Recorded: npm 11 against a server that sends only its own certificate. */
export const NPM11_LEAF = `npm error code UNABLE_TO_VERIFY_LEAF_SIGNATURE
npm error errno UNABLE_TO_VERIFY_LEAF_SIGNATURE
npm error request to https://127.0.0.1:18453/left-pad failed, reason: unable to verify the first certificate
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** npm 8/9 (`npm ERR!`) behind a TLS-inspecting proxy. */
export const NPM9_SELF_SIGNED = `npm ERR! code SELF_SIGNED_CERT_IN_CHAIN
npm ERR! errno SELF_SIGNED_CERT_IN_CHAIN
npm ERR! request to https://registry.example.test/vite failed, reason: self-signed certificate in certificate chain

npm ERR! A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** npm 8/9 with a CA missing from its store. */
export const NPM9_ISSUER_LOCALLY = `npm ERR! code UNABLE_TO_GET_ISSUER_CERT_LOCALLY
npm ERR! errno UNABLE_TO_GET_ISSUER_CERT_LOCALLY
npm ERR! request to https://registry.example.test/vite failed, reason: unable to get local issuer certificate
`;

/** Recorded: npm 11 asking for a package the registry does not have (the name changed to a misspelt one). */
export const NPM11_E404 = `npm error code E404
npm error 404 Not Found - GET http://127.0.0.1:18444/left-padd - Not found
npm error 404
npm error 404  The requested resource 'left-padd@1.3.0' could not be found or you do not have permission to access it.
npm error 404
npm error 404 Note that you can also install from a
npm error 404 tarball, folder, http url, or git url.
npm error A complete log of this run can be found in: /home/app/.npm/_logs/debug-0.log
`;

/** npm asking for a version that does not exist. */
export const NPM_ETARGET = `npm error code ETARGET
npm error notarget No matching version found for left-pad@^9.9.9.
npm error notarget In most cases you or one of your dependencies are requesting
npm error notarget a package version that doesn't exist.
`;

/** npm 10: the registry refuses the credentials. */
export const NPM_E401 = `npm error code E401
npm error Unable to authenticate, your authentication token seems to be invalid.
npm error To correct this please try logging in again with:
npm error     npm login
`;

/** The project's own postinstall script failing on a database it expects: a network error, but the code's. */
export const NPM_POSTINSTALL_ECONNREFUSED = `> app@1.0.0 postinstall
> node scripts/seed.js

Error: connect ECONNREFUSED 127.0.0.1:5432
    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1637:16)
npm error code 1
npm error path /workspace
npm error command failed
npm error command sh -c node scripts/seed.js
`;

/** Recorded: Node 22 writing to a full file system. */
export const NODE_ENOSPC = `node:internal/fs/utils:350
    throw err;
    ^

Error: ENOSPC: no space left on device, write
    at Object.writeSync (node:fs:916:3)
    at Object.writeFileSync (node:fs:2450:26) {
  errno: -28,
  syscall: 'write',
  code: 'ENOSPC'
}
`;

/** npm's install on a full disk. */
export const NPM_ENOSPC = `npm error code ENOSPC
npm error syscall write
npm error errno -28
npm error nospc ENOSPC: no space left on device, write
npm error nospc There appears to be insufficient space on your system to finish.
`;

/** pnpm 8/9 when the registry's name does not resolve. */
export const PNPM9_META_FETCH_FAIL = ` ERR_PNPM_META_FETCH_FAIL  GET https://registry.example.test/left-pad: request to https://registry.example.test/left-pad failed, reason: getaddrinfo ENOTFOUND registry.example.test
`;

/** pnpm 8/9 asking for a package that does not exist. */
export const PNPM9_FETCH_404 = ` ERR_PNPM_FETCH_404  GET https://registry.example.test/left-padd: Not Found - 404

This error happened while installing a direct dependency of /workspace

left-padd is not in the npm registry, or you have no permission to fetch it.
`;

/** Recorded: pnpm 12 against a registry port nothing listens on. */
export const PNPM12_UNSENT = `Error:   × installing dependencies
  ╰─▶ Failed to resolve dependency tree: Failed to resolve dependency: Failed
      to fetch metadata from http://127.0.0.1:9/left-pad: error sending
      request for url (http://127.0.0.1:9/left-pad)
`;

/** vitest: the test's request to the app under test, which is not listening. */
export const VITEST_ECONNREFUSED = `
 RUN  v3.2.4 /workspace

 ❯ src/api.test.ts (1 test | 1 failed) 12ms
   × GET /api/todos > lists the todos 10ms
     → fetch failed

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 FAIL  src/api.test.ts > GET /api/todos > lists the todos
TypeError: fetch failed
 ❯ src/api.test.ts:6:17
Caused by: Error: connect ECONNREFUSED 127.0.0.1:3000
 ❯ TCPConnectWrap.afterConnect [as oncomplete] node:net:1637:16

 Test Files  1 failed (1)
      Tests  1 failed (1)
`;

/** Recorded: dash (the sandbox's /bin/sh) and bash on a tool that is not installed. */
export const DASH_NOT_FOUND = (name: string) => `sh: 1: ${name}: not found\n`;
export const BASH_NOT_FOUND = (name: string) => `bash: ${name}: command not found\n`;

/** Recorded: Node spawning a program that is not installed (a test running git, say). */
export const NODE_SPAWN_ENOENT = (name: string) => `Error: spawn ${name} ENOENT
    at ChildProcess._handle.onexit (node:internal/child_process:285:19)
    at onErrorNT (node:internal/child_process:483:16) {
  errno: -2,
  code: 'ENOENT',
  syscall: 'spawn ${name}',
  path: '${name}',
  spawnargs: []
}
`;

/** npm: a package's install script that downloads a browser, in a sandbox whose DNS cannot resolve the host. */
export const NPM_POSTINSTALL_DOWNLOAD = `npm error code 1
npm error path /workspace/node_modules/puppeteer
npm error command failed
npm error command sh -c node install.mjs
npm error Error: ERROR: Failed to set up chrome v131.0.6778.204! Set "PUPPETEER_SKIP_DOWNLOAD" env variable to skip download.
npm error     at downloadBrowser (file:///workspace/node_modules/puppeteer/lib/esm/puppeteer/node/install.js:102:15) {
npm error   [cause]: Error: getaddrinfo EAI_AGAIN storage.example.test
npm error       at GetAddrInfoReqWrap.onlookup [as oncomplete] (node:dns:120:26) {
npm error     errno: -3001,
npm error     code: 'EAI_AGAIN',
npm error     syscall: 'getaddrinfo',
npm error     hostname: 'storage.example.test'
npm error   }
npm error }
`;

/** npm: the project's own seed script, run on install, looking for a database host the sandbox lacks. */
export const NPM_POSTINSTALL_DB_HOST = `> app@1.0.0 postinstall
> node scripts/seed.js

Error: getaddrinfo ENOTFOUND db
npm error code 1
npm error path /workspace
npm error command failed
npm error command sh -c node scripts/seed.js
`;
