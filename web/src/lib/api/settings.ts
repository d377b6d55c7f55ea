import type { InferRequestType, InferResponseType } from 'hono/client';
import { MODEL_AGENT_ROSTER } from '@samokoder/workers/protocol';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** The user's settings, with what applies where they chose nothing. */
export type Settings = InferResponseType<(typeof api.settings)['$get'], 200>;
export type SettingsChange = InferRequestType<(typeof api.settings)['$patch']>['json'];

/** The agents that call a model, in pipeline order, with what each does (for the settings page). */
export const MODEL_AGENTS: readonly { agent: string; role: string }[] = MODEL_AGENT_ROSTER.map((a) => ({
  agent: a.name,
  role: a.role,
}));

export async function getSettings(signal?: AbortSignal): Promise<Settings> {
  const response = await api.settings.$get(undefined, { init: { signal, cache: 'no-store' } });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}

export async function updateSettings(change: SettingsChange): Promise<Settings> {
  const response = await api.settings.$patch({ json: change });
  if (response.status !== 200) throw await errorFromResponse(response);
  return response.json();
}
