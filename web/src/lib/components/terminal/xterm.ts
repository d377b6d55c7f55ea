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
  setDark(dark: boolean): void;
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
    scrollback: 10_000,
    fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
    fontSize: 13,
    theme: dark ? DARK : LIGHT,
    // Screen readers get the output as it comes (a live region), not a grid of cells.
    screenReaderMode: true,
  });
  const fit = new FitAddon();
  terminal.loadAddon(fit);
  terminal.open(parent);
  fit.fit();
  return {
    write: (text) => terminal.write(text),
    setDark: (value) => {
      terminal.options.theme = value ? DARK : LIGHT;
    },
    fit: () => {
      if (parent.clientWidth > 0 && parent.clientHeight > 0) fit.fit();
    },
    destroy: () => terminal.dispose(),
  };
}
