/**
 * Adds the scripted test pipeline to this Worker's pipelines when imported (by the test Worker and the
 * engine benchmark's Worker): a project created with `pipeline: "scripted"` then runs its description
 * as a script instead of the LLM agents.
 */
import { registerPipeline } from '../project-object/composition-root.ts';
import { scriptedPipeline } from './scripted-pipeline.ts';
import { echoSandbox, scriptedLlm } from './scripted-ports.ts';

registerPipeline('scripted', (deps) => ({
  pipeline: scriptedPipeline,
  llm: scriptedLlm(deps.onLlmCall),
  sandbox: echoSandbox,
}));
