export { default as Toggle } from './toggle.svelte';
