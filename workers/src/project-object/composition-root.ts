/**
 * The project object's composition root: the pipelines a project can run, each bound to the adapters it
 * needs. The product has one, `agents`: the LLM agents with the real LLM layer (the owner's keys or the
 * platform's) and the project's sandbox on the sandbox-runner. Tests add their own (`registerPipeline`,
 * from the test Worker `testing/worker.ts`), so no test pipeline is part of the product.
 */
import { createAgentsPipeline } from '../core/agents/agents-pipeline.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { LlmPort, LlmRequest, SandboxPort } from '../core/ports.ts';
import type { Bindings } from '../env.ts';
import { llmConfig } from '../llm/config.ts';
import { parseModelTable, type ModelTable } from '../llm/models.ts';
import { createLlmPort } from '../llm/port.ts';
import { userKeySource } from '../llm/user-keys.ts';
import { userPriceSource } from '../llm/user-prices.ts';
import { describeError, log } from '../platform/logger.ts';
import { RunnerSandbox, unconfiguredSandbox } from '../sandbox/adapter.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { FleetSandbox, type PlacementStore } from '../sandbox/fleet/fleet-sandbox.ts';
import { fleetOf } from '../sandbox/fleet/fleet.ts';
import { queueMessage } from '../sandbox/fleet/queue-message.ts';
import type { EventBody } from '../protocol.ts';
import type { PreviewPort } from './preview.ts';
import type { ProjectInfo } from './storage/meta.ts';

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
  /** Told of every LLM call actually made (the object counts them; tests read the count). */
  onLlmCall: (request: LlmRequest) => void;
  /** The `fetch` of the project's outside calls (the sandbox-runner's): closed when it is deleted. */
  fetch: typeof fetch;
  /** Where the project's sandbox is placed, in a fleet of runners (the object's storage). */
  placement?: PlacementStore;
  /** Logs an event of the project (the sandbox's place in line). */
  emit?: (event: EventBody) => void;
}

/** The project's sandbox: on a fleet of runners when one is configured, else on SANDBOX_RUNNER_URL. */
function projectSandbox(deps: BindDeps): RunnerSandbox | FleetSandbox | null {
  const { env, project } = deps;
  const fleet = fleetOf(env, deps.fetch);
  if (fleet && deps.placement) {
    const emit = deps.emit;
    return new FleetSandbox({
      fleet,
      projectId: project.projectId,
      secret: env.SANDBOX_RUNNER_SECRET,
      store: deps.placement,
      fetch: deps.fetch,
      onQueue: (position) => emit?.({ type: 'sandbox.queue', position, message: queueMessage(position) }),
    });
  }
  if (!env.SANDBOX_RUNNER_URL) return null;
  return new RunnerSandbox({
    client: new RunnerClient({
      baseUrl: env.SANDBOX_RUNNER_URL,
      secret: env.SANDBOX_RUNNER_SECRET,
      projectId: project.projectId,
      fetch: deps.fetch,
    }),
  });
}

/** The project's model choice (its owner's Settings and its own overrides), checked once here. */
function projectModels(project: BindDeps['project']): ModelTable {
  const models = project.models;
  if (!models) return {};
  try {
    return parseModelTable(JSON.stringify(models), 'the project models');
  } catch (err) {
    log.warn('project models ignored', { projectId: project.projectId, ...describeError(err) });
    return {};
  }
}

/** The product: the LLM agents over the real LLM layer and the sandbox-runner. */
export function bindAgentsPipeline(deps: BindDeps): BoundPipeline {
  const { env, project } = deps;
  // The platform keys (OPENAI_API_KEY...) are optional secrets: LlmEnv names them, Bindings need not.
  const config = llmConfig(env);
  const port = createLlmPort({
    keys: {
      user: userKeySource(env, project.ownerId),
      platform: (provider) => config.platformKeys[provider] ?? null,
    },
    baseUrls: config.baseUrls,
    models: { platform: config.platformModels, project: projectModels(project) },
    prices: userPriceSource(env, project.ownerId),
    ...(config.defaultContextTokens ? { defaultContextTokens: config.defaultContextTokens } : {}),
    now: () => Date.now(),
    // The usage-recording hook: one log line per provider attempt (the engine records the completion
    // itself, which the Postgres usage ledger follows). Never the key or the prompt.
    onCall: (call) =>
      log.info('llm call', {
        projectId: project.projectId,
        agent: call.agent,
        provider: call.provider,
        model: call.model,
        keyOrigin: call.keyOrigin,
        attempt: call.attempt,
        reask: call.reask,
        outcome: call.outcome,
        inputTokens: call.usage.inputTokens,
        outputTokens: call.usage.outputTokens,
        costMicros: call.costMicros,
        latencyMs: call.latencyMs,
      }),
  });
  const llm: LlmPort = {
    complete: (request) => {
      deps.onLlmCall(request);
      return port.complete(request);
    },
    window: (agent) => port.window!(agent),
  };
  const sandbox = projectSandbox(deps);
  if (!sandbox) {
    const none = unconfiguredSandbox;
    return { pipeline: createAgentsPipeline({ sandbox: none, app: none }), llm, sandbox: none };
  }
  return {
    pipeline: createAgentsPipeline({ sandbox, app: sandbox }),
    llm,
    sandbox,
    preview: {
      open: (app, files, install) => sandbox.openPreview(app, files, install, AbortSignal.timeout(360_000)),
      refresh: (app, changes, files) =>
        sandbox.refreshApp(app, changes, files, app.install, AbortSignal.timeout(360_000)),
      check: (port) => sandbox.check(port, AbortSignal.timeout(120_000)),
    },
  };
}

/** The pipelines this Worker can run, by the name a project is created with. */
const PIPELINES = new Map<string, (deps: BindDeps) => BoundPipeline>([['agents', bindAgentsPipeline]]);

/** Adds a pipeline (tests only: the test Worker adds the scripted one). */
export function registerPipeline(name: string, bind: (deps: BindDeps) => BoundPipeline): void {
  PIPELINES.set(name, bind);
}

/** Whether this Worker can run the pipeline called `name`. */
export function knownPipeline(name: string): boolean {
  return PIPELINES.has(name);
}

/** The pipeline called `name` with its adapters, or null when this build does not know it. */
export function bindPipeline(name: string, deps: BindDeps): BoundPipeline | null {
  return PIPELINES.get(name)?.(deps) ?? null;
}
