import { call } from './api.ts';
import type { TestUser } from './users.ts';

/** A project as the API returns it. */
export interface ProjectBody {
  id: string;
  name: string;
  description: string;
  mode: string;
  status: string;
  budgetMicros: number;
  models: Record<string, string>;
  reviewChanges: boolean;
  costMicros: number;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
}

export async function createProject(
  user: TestUser,
  body: Record<string, unknown> = {},
): Promise<ProjectBody> {
  const res = await call('/api/projects', {
    json: { name: 'Todo app', description: 'A todo list with due dates', ...body },
    token: user.accessToken,
  });
  if (res.status !== 201) throw new Error(`create project failed: ${res.status} ${await res.text()}`);
  return res.json<ProjectBody>();
}
