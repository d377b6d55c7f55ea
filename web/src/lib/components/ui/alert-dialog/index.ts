/**
 * AlertDialog: a question that needs an answer before anything else (delete this key?). `Root` holds
 * the open state, `Trigger` opens it, `Content` is the panel, `Action` confirms, `Cancel` closes.
 */
import { AlertDialog } from 'bits-ui';

export const Root = AlertDialog.Root;
export const Trigger = AlertDialog.Trigger;
export const Action = AlertDialog.Action;
export const Cancel = AlertDialog.Cancel;
export { default as Content } from './alert-dialog-content.svelte';
export { default as Title } from './alert-dialog-title.svelte';
export { default as Footer } from '../dialog/dialog-footer.svelte';
export { default as Description } from './alert-dialog-description.svelte';
