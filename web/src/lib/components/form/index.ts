export { default as FieldError } from './field-error.svelte';
export { default as FormError } from './form-error.svelte';
export { FormErrorState } from './form-error-state.svelte.ts';
