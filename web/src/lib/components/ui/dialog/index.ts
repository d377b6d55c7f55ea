/**
 * Dialog: `Root` holds the open state (`bind:open`), `Trigger` opens it, `Content` is the panel,
 * `Title` names it (required for screen readers), `Close` closes it.
 */
import { Dialog } from 'bits-ui';

export const Root = Dialog.Root;
export const Trigger = Dialog.Trigger;
export const Close = Dialog.Close;
export { default as Content } from './dialog-content.svelte';
export { default as Title } from './dialog-title.svelte';
export { default as Description } from './dialog-description.svelte';
export { default as Footer } from './dialog-footer.svelte';
