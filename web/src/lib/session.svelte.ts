import { login, logout, me, register, type Credentials, type User } from '$lib/api/auth.ts';
import { maybeSignedIn, onSessionEnded } from '$lib/api/refresh.ts';

export type SessionStatus = 'unknown' | 'signed-in' | 'signed-out';

/**
 * Who is signed in, for every page. The API is the judge (httpOnly cookies are invisible to scripts):
 * `ensure()` asks it once per page load; sign-in, sign-up and sign-out update the answer; a refused
 * refresh (the session ended elsewhere) turns it to signed out.
 */
class SessionState {
  user = $state<User | null>(null);
  status = $state<SessionStatus>('unknown');
  /** The user signed out here (the page goes where it wants); otherwise the session ended by itself. */
  signedOutHere = $state(false);
  #check: Promise<User | null> | undefined;

  constructor() {
    onSessionEnded(() => this.#set(null));
  }

  /** The signed-in user, asking the API the first time. Network and server failures throw. */
  ensure(): Promise<User | null> {
    if (this.status !== 'unknown') return Promise.resolve(this.user);
    this.#check ??= me()
      .then((user) => {
        this.#set(user);
        return user;
      })
      .finally(() => {
        this.#check = undefined;
      });
    return this.#check;
  }

  /**
   * For public pages: learn whether someone is signed in without a request when this browser never
   * signed in (no 401 round trip for anonymous visitors); failures leave the status unknown.
   */
  probe(): void {
    if (this.status !== 'unknown') return;
    if (!maybeSignedIn()) this.#set(null);
    else this.ensure().catch(() => {});
  }

  async signIn(credentials: Credentials): Promise<User> {
    const user = await login(credentials);
    this.#set(user);
    return user;
  }

  async signUp(credentials: Credentials): Promise<User> {
    const user = await register(credentials);
    this.#set(user);
    return user;
  }

  async signOut(): Promise<void> {
    await logout();
    this.signedOutHere = true;
    this.#set(null);
  }

  #set(user: User | null): void {
    if (user) this.signedOutHere = false;
    this.user = user;
    this.status = user ? 'signed-in' : 'signed-out';
  }
}

export const session = new SessionState();
