/**
 * The Worker the tests run: the product's Worker (its API and the project object) with the scripted
 * test pipeline added. The workers tests and the local stack's test profile run this entry; the
 * product's entry (`src/index.ts`) knows only the agents.
 */
import './scripted-registration.ts';

export * from '../index.ts';
export { default } from '../index.ts';
