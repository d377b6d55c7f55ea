import { redirect } from '@sveltejs/kit';
import { maybeSignedIn } from '$lib/api/refresh.ts';
import { session } from '$lib/session.svelte.ts';
import { nextPath } from './next-path.ts';
import type { LayoutLoad } from './$types';

/** Someone already signed in has nothing to do on these pages: on to where they were going. */
export const load: LayoutLoad = async ({ url }) => {
  if (!maybeSignedIn()) return {};
  const user = await session.ensure().catch(() => null);
  if (user) redirect(303, nextPath(url));
  return {};
};
