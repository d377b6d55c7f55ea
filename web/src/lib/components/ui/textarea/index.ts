export { default as Textarea } from './textarea.svelte';
