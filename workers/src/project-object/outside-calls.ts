/**
 * The gate every call a project makes to the outside world goes through: its LLM calls and its
 * sandbox-runner requests. Deleting the project closes the gate for good before anything else: from
 * then on no call starts (no model is paid, no sandbox is made), and the deletion waits for the calls
 * already in flight, so that when it lists the project's sandboxes on the runner, none is still being
 * created behind its back.
 */

/** Thrown by a call attempted after the gate closed. */
export class ProjectClosed extends Error {
  constructor() {
    super('The project is being deleted.');
    this.name = 'ProjectClosed';
  }
}

export class OutsideCalls {
  private open = true;
  private readonly inFlight = new Set<Promise<unknown>>();

  get closed(): boolean {
    return !this.open;
  }

  /** Runs `call` while the gate is open; throws {@link ProjectClosed} once it is closed. */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.open) return Promise.reject(new ProjectClosed());
    const pending = call();
    this.inFlight.add(pending);
    const forget = () => this.inFlight.delete(pending);
    pending.then(forget, forget);
    return pending;
  }

  /** `fetch` through the gate (workerd's fetch is called as a plain function). */
  readonly fetch: typeof fetch = (input, init) => this.run(() => fetch(input, init));

  /** Closes the gate: every later call fails. */
  close(): void {
    this.open = false;
  }

  /** Waits for the calls in flight to end (answered, failed or aborted), at most `timeoutMs`. */
  async settled(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    try {
      while (this.inFlight.size > 0) {
        const all = Promise.allSettled([...this.inFlight]).then(() => true);
        if (!(await Promise.race([all, timeout]))) return false;
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
