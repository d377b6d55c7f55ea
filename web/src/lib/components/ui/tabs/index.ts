/** Tabs: `Root` holds the value (`bind:value`), `List` holds the `Trigger`s, one `Content` per value. */
import { Tabs } from 'bits-ui';

export const Root = Tabs.Root;
export { default as List } from './tabs-list.svelte';
export { default as Trigger } from './tabs-trigger.svelte';
export { default as Content } from './tabs-content.svelte';
