export { default as ModelField } from './model-field.svelte';
export { default as ModelSuggestions } from './model-suggestions.svelte';
