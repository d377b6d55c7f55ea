import { redirect } from '@sveltejs/kit';
import { session } from '$lib/session.svelte.ts';
import type { LayoutLoad } from './$types';

/** Every page of this group needs a signed-in user; others are sent to sign in and brought back. */
export const load: LayoutLoad = async ({ url }) => {
  const user = await session.ensure();
  if (!user) redirect(307, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
  return { user };
};
