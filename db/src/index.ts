export { createDb } from './client.ts';
export type { Database, DbDriver, DbHandle, DbOptions } from './client.ts';
export * as schema from './schema/index.ts';
export type { LlmProvider } from './schema/keys.ts';
export type { SnapshotFile } from './schema/projects.ts';
export type { UserSettings } from './schema/accounts.ts';
