import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts.ts';
import { projects } from './projects.ts';

/**
 * A project's remote git repository (GitHub, GitLab, Gitea or any smart-HTTP remote): where its history
 * is pushed and pulled. The access token is encrypted at rest like LLM keys (AES-GCM under the master
 * key named by `masterKeyId`) and never shown again: only its last four characters and when it was set.
 */
export const gitRemotes = pgTable('git_remotes', {
  /** One remote per project. */
  projectId: uuid('project_id')
    .primaryKey()
    .references(() => projects.id, { onDelete: 'cascade' }),
  /** The project's owner, bound into the token's ciphertext. */
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  url: text('url').notNull(),
  /** The remote branch the project's current branch is pushed to and pulled from. */
  branch: text('branch').notNull(),
  /** Push the current branch after each completed task. */
  pushAfterTask: boolean('push_after_task').notNull().default(false),
  /** base64 of the AES-GCM ciphertext of the token (with its tag). */
  ciphertext: text('ciphertext').notNull(),
  /** base64 of the 12-byte nonce. */
  iv: text('iv').notNull(),
  masterKeyId: text('master_key_id').notNull(),
  tokenLast4: text('token_last4').notNull(),
  tokenSetAt: timestamp('token_set_at', { withTimezone: true }).notNull().defaultNow(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  lastCheckedAt: timestamp('last_checked_at', { withTimezone: true }),
  /** Outcome of the last connection check; null until checked. */
  lastCheckOk: boolean('last_check_ok'),
});
