/**
 * The Worker the tests run: the product's Worker (its API and the project object) with the scripted
 * test pipeline added, so a project created with `pipeline: "scripted"` runs a script (its description)
 * instead of the LLM agents. The workers tests and the local stack's test profile run this entry; the
 * product's entry (`src/index.ts`) knows only the agents.
 */
import { registerPipeline } from '../project-object/composition-root.ts';
import { scriptedPipeline } from './scripted-pipeline.ts';
import { echoSandbox, scriptedLlm } from './scripted-ports.ts';

registerPipeline('scripted', (deps) => ({
  pipeline: scriptedPipeline,
  llm: scriptedLlm(deps.onLlmCall),
  sandbox: echoSandbox,
}));

export * from '../index.ts';
export { default } from '../index.ts';
