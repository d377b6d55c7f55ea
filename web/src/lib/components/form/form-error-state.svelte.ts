import { tick } from 'svelte';
import { formErrors } from '$lib/api/form-errors.ts';

/**
 * A form's errors and its pending request, the same way in every form: messages beside the fields
 * (`FieldError`), one for the form (`FormError`), the first invalid field focused. It never touches
 * the form's values: what the person typed stays for them to correct and send again.
 */
export class FormErrorState {
  /** Messages by field name (the API's name of the field). */
  fields = $state<Record<string, string>>({});
  /** The message for the whole form. */
  form = $state('');
  pending = $state(false);
  readonly #prefix: string;
  readonly #names: readonly string[];

  /**
   * `prefix` names the form's elements (`<prefix>-<field>-error`); `names` are its fields as the API
   * names them, so an API error about one of them is shown beside it.
   */
  constructor(prefix: string, names: readonly string[]) {
    this.#prefix = prefix;
    this.#names = names;
  }

  /** Forgets every message (before a new attempt, or when the form is reset). */
  clear(): void {
    this.fields = {};
    this.form = '';
  }

  /** A check of the form's own found `field` wrong. */
  reject(field: string, message: string): void {
    this.fields[field] = message;
  }

  /** Forgets the message of `field` (its value was replaced). */
  forget(field: string): void {
    delete this.fields[field];
  }

  /** Whether any message is shown. */
  get any(): boolean {
    return this.form !== '' || Object.keys(this.fields).length > 0;
  }

  /** Shows what a failed request said. */
  show(error: unknown): void {
    const shown = formErrors(error, this.#names);
    this.fields = shown.fields;
    this.form = shown.form;
  }

  /**
   * Sends the form's request (`send` also does what follows a success): pending meanwhile, the errors
   * shown and the first invalid field of `form` focused on failure. Answers whether it succeeded.
   */
  async submit(send: () => Promise<void>, form?: HTMLElement | null): Promise<boolean> {
    this.clear();
    this.pending = true;
    try {
      await send();
      return true;
    } catch (error) {
      this.show(error);
      await this.focus(form);
      return false;
    } finally {
      this.pending = false;
    }
  }

  /** Focuses the first field marked invalid in `form`, once the page shows the messages. */
  async focus(form: HTMLElement | null | undefined): Promise<void> {
    await tick();
    form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }

  /** The id of the message element of `field`. */
  id(field: string): string {
    return `${this.#prefix}-${field}-error`;
  }

  /** `aria-invalid` of `field`'s control. */
  invalid(field: string): 'true' | undefined {
    return this.fields[field] ? 'true' : undefined;
  }

  /** `aria-describedby` of `field`'s control: its message, then its hints. */
  describedBy(field: string, ...hints: string[]): string | undefined {
    return [this.fields[field] ? this.id(field) : '', ...hints].filter(Boolean).join(' ') || undefined;
  }
}
