import { z } from '@hono/zod-openapi';
import { Budget, ModelAgent, ModelSpec } from './projects-schemas.ts';

export const UpdateSettingsBody = z
  .strictObject({
    models: z
      .partialRecord(ModelAgent, ModelSpec.nullable())
      .optional()
      .openapi({ description: 'Model per agent; null goes back to the default.' }),
    defaultBudgetMicros: Budget.nullable()
      .optional()
      .openapi({ description: "New projects' budget in micro-dollars; null goes back to the default." }),
  })
  .openapi('UpdateSettingsRequest');

export const SettingsBody = z
  .object({
    models: z.record(z.string(), z.string()).openapi({ description: "The user's model per agent." }),
    defaultBudgetMicros: z.number().int().nullable(),
    defaults: z
      .object({
        models: z.record(z.string(), z.string()),
        budgetMicros: z.number().int(),
      })
      .openapi({ description: 'What applies where the user chose nothing (the platform’s choice).' }),
  })
  .openapi('Settings');
