/**
 * Which limits of a structured output may be trimmed to instead of re-asked. A model that sends six
 * hypotheses where five are allowed has still answered; cutting the sixth loses little, and a re-ask
 * would cost a whole call. Only fields whose extra items are optional extras are marked (hypotheses
 * listed most likely first, review issues, clarifying questions, context files, one-line notes); a
 * limit on work or meaning (tasks, steps, edits, titles, packages) is always re-asked with the limit
 * stated, since the platform cannot choose what to drop.
 */
import { z } from 'zod';

export interface TrimRule {
  /**
   * Dotted paths of the arrays and strings that are cut to their maximum when over it; `*` stands for
   * any index of an array (`questions.*.options`).
   */
  paths: readonly string[];
}

/** The trim rules of output schemas: `Schema.register(trimmable, { paths: [...] })`. */
export const trimmable = z.registry<TrimRule>();
