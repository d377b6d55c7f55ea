/**
 * Whether the Docker engine answers `/_ping`, within a bound. Why the bound: an engine that accepts
 * the connection and never answers (hung, or a socket left by a dead one) would otherwise hold the
 * health probe and the runner's start-up forever instead of reporting the engine as down.
 */
import type Docker from 'dockerode';

/** How long a ping may take before the engine counts as down. */
export const ENGINE_PING_TIMEOUT_MS = 3000;

/** `Docker#ping` as dockerode defines it: its types leave out the options it passes to the engine call. */
type Ping = (this: Docker, opts: { abortSignal: AbortSignal }) => Promise<unknown>;

/** True when the engine answered within the bound. */
export function engineAnswers(docker: Docker, timeoutMs = ENGINE_PING_TIMEOUT_MS): Promise<boolean> {
  const ping = docker.ping as unknown as Ping;
  return ping.call(docker, { abortSignal: AbortSignal.timeout(timeoutMs) }).then(
    () => true,
    () => false,
  );
}
