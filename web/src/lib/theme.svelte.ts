import { browser } from '$app/environment';

export type Theme = 'light' | 'dark';

/** Also read by the inline script in src/app.html, which applies the theme before the first paint. */
const STORAGE_KEY = 'samokoder:theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function readSaved(): Theme | null {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return saved === 'light' || saved === 'dark' ? saved : null;
  } catch {
    return null; // storage disabled (privacy mode): follow the OS
  }
}

/**
 * The colour theme: the OS preference unless the user picked the other one. Choosing the theme the
 * OS already prefers forgets the override, so the app follows the OS again (a toggle needs no third
 * "system" state for that).
 */
class ThemeState {
  current = $state<Theme>('light');
  #media: MediaQueryList | undefined;

  constructor() {
    if (!browser) return;
    this.#media = matchMedia(DARK_QUERY);
    const applied = document.documentElement.dataset.theme;
    this.#apply(applied === 'dark' || applied === 'light' ? applied : (readSaved() ?? this.#system()));
    this.#media.addEventListener('change', () => {
      if (readSaved() === null) this.#apply(this.#system());
    });
    // Another tab changed it: follow along.
    addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY || event.key === null) this.#apply(readSaved() ?? this.#system());
    });
  }

  set(theme: Theme): void {
    try {
      if (theme === this.#system()) localStorage.removeItem(STORAGE_KEY);
      else localStorage.setItem(STORAGE_KEY, theme);
    } catch {
      // Not persisted; still applied for this page.
    }
    this.#apply(theme);
  }

  toggle(): void {
    this.set(this.current === 'dark' ? 'light' : 'dark');
  }

  #system(): Theme {
    return this.#media?.matches ? 'dark' : 'light';
  }

  #apply(theme: Theme): void {
    this.current = theme;
    document.documentElement.dataset.theme = theme;
  }
}

export const theme = new ThemeState();
