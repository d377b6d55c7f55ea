/**
 * A user's preferences (the `settings` column of `users`): the model each agent uses and the budget a
 * new project gets. Absent entries fall back to the platform's choice.
 */
import { schema, type Database, type UserSettings } from '@samokoder/db';
import { eq } from 'drizzle-orm';

const { users } = schema;

export interface Settings {
  models: Record<string, string>;
  defaultBudgetMicros: number | null;
}

/** What a change may carry: a model set to null goes back to the default; so does a null budget. */
export interface SettingsPatch {
  models?: Record<string, string | null>;
  defaultBudgetMicros?: number | null;
}

function toSettings(stored: UserSettings | undefined): Settings {
  return { models: stored?.models ?? {}, defaultBudgetMicros: stored?.defaultBudgetMicros ?? null };
}

export async function getSettings(db: Database, userId: string): Promise<Settings> {
  const [row] = await db
    .select({ settings: users.settings })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  return toSettings(row?.settings);
}

/** Applies a change; what it does not name stays as it was. */
export async function updateSettings(db: Database, userId: string, patch: SettingsPatch): Promise<Settings> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ settings: users.settings })
      .from(users)
      .where(eq(users.id, userId))
      .for('update')
      .limit(1);
    const current = toSettings(row?.settings);
    const models = { ...current.models };
    for (const [agent, spec] of Object.entries(patch.models ?? {})) {
      if (spec === null) delete models[agent];
      else models[agent] = spec;
    }
    const budget =
      patch.defaultBudgetMicros === undefined ? current.defaultBudgetMicros : patch.defaultBudgetMicros;
    const next: UserSettings = { models, ...(budget === null ? {} : { defaultBudgetMicros: budget }) };
    await tx.update(users).set({ settings: next, updatedAt: new Date() }).where(eq(users.id, userId));
    return toSettings(next);
  });
}
