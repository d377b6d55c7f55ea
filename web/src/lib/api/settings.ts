import type { InferRequestType, InferResponseType } from 'hono/client';
import { api } from './client.ts';
import { errorFromResponse } from './errors.ts';

/** The user's settings, with what applies where they chose nothing. */
export type Settings = InferResponseType<(typeof api.settings)['$get'], 200>;
export type SettingsChange = InferRequestType<(typeof api.settings)['$patch']>['json'];

/** The agents that call a model, in pipeline order, with what each does (for the settings page). */
export const MODEL_AGENTS: readonly { agent: string; role: string }[] = [
  { agent: 'SpecWriter', role: 'Writes the specification and asks what is unclear' },
  { agent: 'Architect', role: 'Chooses the stack' },
  { agent: 'TechLead', role: 'Plans the tasks' },
  { agent: 'Developer', role: 'Breaks a task into steps' },
  { agent: 'CodeMonkey', role: 'Writes and reviews the code' },
  { agent: 'BugHunter', role: 'Debugs failing commands' },
  { agent: 'Troubleshooter', role: 'Looks into your reports' },
  { agent: 'TechnicalWriter', role: 'Writes the README' },
];

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
