/**
 * xterm.js for the terminal panel. Only ever imported dynamically (terminal.svelte): the terminal is
 * not part of any page's initial JavaScript.
 */
import { FitAddon } from '@xterm/addon-fit';
import { Terminal, type ITheme } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';

const LIGHT: ITheme = {
  background: '#fbfbfd',
  foreground: '#1f2430',
  cursor: '#1f2430',
  selectionBackground: '#c9d4f5',
  black: '#1f2430',
  red: '#c0392b',
  green: '#1e7f45',
  yellow: '#9a6700',
  blue: '#2f5bd3',
  magenta: '#8a3fb8',
  cyan: '#117a8b',
  white: '#6b7280',
  brightBlack: '#6b7280',
};

const DARK: ITheme = {
  background: '#15171c',
  foreground: '#e6e8ee',
  cursor: '#e6e8ee',
  selectionBackground: '#33415f',
  black: '#15171c',
  red: '#f0786b',
  green: '#6fd49a',
  yellow: '#f1c96b',
  blue: '#8fb0ff',
  magenta: '#d39cf5',
  cyan: '#6fd3e0',
  white: '#c5c9d3',
  brightBlack: '#8b90a0',
};

export interface TerminalHandle {
  write(text: string): void;
  /** Forget everything shown (before writing a feed that started over). */
  reset(): void;
  setDark(dark: boolean): void;
  /** Fits the rows and columns to the parent's size; nothing to do when that did not change. */
  fit(): void;
  destroy(): void;
}

export function createTerminal(parent: HTMLElement, dark: boolean): TerminalHandle {
  const terminal = new Terminal({
    // Output only: the agents type, people read. Line ends arrive as \n.
    disableStdin: true,
    convertEol: true,
    cursorBlink: false,
    cursorInactiveStyle: 'none',
    // Lines kept above the screen; the panel's text view ("Show as text") has all of the output.
    scrollback: 10_000,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 13,
    theme: dark ? DARK : LIGHT,
    // Off on purpose: xterm's screen-reader mode re-measures every row with getBoundingClientRect on
    // each render and resize (a forced layout per row), which kept a core busy. Screen readers read
    // the same output in the panel's text view instead.
    screenReaderMode: false,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(parent);
  // The size the terminal was last fitted to: a resize re-renders every row, and showing the tab
  // again reports the size it had before it was hidden.
  let fitted = '';
  const refit = () => {
    const size = `${parent.clientWidth}x${parent.clientHeight}`;
    // A hidden parent (display: none) measures 0: fitting it would shrink the terminal to nothing.
    if (size === fitted || parent.clientWidth === 0 || parent.clientHeight === 0) return;
    fitted = size;
    fit.fit();
  };
  refit();
  return {
    write: (text) => terminal.write(text),
    reset: () => terminal.reset(),
    setDark: (value) => {
      terminal.options.theme = value ? DARK : LIGHT;
    },
    fit: refit,
    destroy: () => terminal.dispose(),
  };
}
