// A single-page app: the Worker serves the static build and the browser renders every page.
export const ssr = false;
export const prerender = false;
