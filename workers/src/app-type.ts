/** The API's type for the typed client (`hc<AppType>`) of the web package. */
export type { AppType } from './app.ts';
