/**
 * The pipelines a project can run, each with the adapters it needs: `agents` (the product: the LLM
 * agents with the real LLM layer and the sandbox-runner) and `scripted` (the engine's test pipeline).
 */
import type { Pipeline } from '../core/pipeline.ts';
import type { LlmPort, LlmRequest, SandboxPort } from '../core/ports.ts';
import { scriptedPipeline } from '../core/pipelines/scripted.ts';
import type { Bindings } from '../env.ts';
import { bindAgentsPipeline } from '../llm/agents-binding.ts';
import type { PreviewPort } from './preview.ts';
import { echoSandbox, scriptedLlm } from './scripted-ports.ts';
import type { ProjectInfo } from './storage/journal.ts';

/** A pipeline with its adapters, ready for the engine. */
export interface BoundPipeline {
  pipeline: Pipeline;
  llm: LlmPort;
  sandbox: SandboxPort;
  /** Reopens the app the pipeline started, for a fresh preview link (when its apps can run). */
  preview?: PreviewPort;
}

export interface BindDeps {
  env: Bindings;
  /** The project (its owner's keys and settings are looked up from it). */
  project: ProjectInfo;
  /** Told of every LLM call actually made (the scripted LLM counts them for tests). */
  onLlmCall: (request: LlmRequest) => void;
  /** The `fetch` of the project's outside calls (the sandbox-runner's): closed when it is deleted. */
  fetch: typeof fetch;
}

const REGISTRY: Record<string, (deps: BindDeps) => BoundPipeline> = {
  agents: bindAgentsPipeline,
  scripted: (deps) => ({
    pipeline: scriptedPipeline,
    llm: scriptedLlm(deps.onLlmCall),
    sandbox: echoSandbox,
  }),
};

/** The pipeline called `name` with its adapters, or null when this build does not know it. */
export function bindPipeline(name: string, deps: BindDeps): BoundPipeline | null {
  return REGISTRY[name]?.(deps) ?? null;
}
