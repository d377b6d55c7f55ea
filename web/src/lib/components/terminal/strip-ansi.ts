/**
 * Terminal output as plain text: without colour and cursor sequences (CSI), window titles and links
 * (OSC), and other escapes. Control characters that are not escapes (line ends, tabs) stay.
 */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[ -/]*[0-~]/g;

export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ESCAPES, '') : text;
}
