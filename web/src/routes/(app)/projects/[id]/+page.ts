import { error } from '@sveltejs/kit';
import { ApiRequestError } from '$lib/api/errors.ts';
import { getProject } from '$lib/api/projects.ts';
import type { PageLoad } from './$types';

/** The project as the index has it (name, description, budget); the live channel brings the rest. */
export const load: PageLoad = async ({ params }) => {
  try {
    return { project: await getProject(params.id) };
  } catch (e) {
    if (e instanceof ApiRequestError && e.status === 404)
      error(404, 'There is no such project, or it is not yours.');
    throw e;
  }
};
