/**
 * The agents' pipeline with its real adapters, for the Durable Object's pipeline registry
 * (`agent/pipelines.ts`: `agents: bindAgentsPipeline`): the LLM layer with the owner's keys or the
 * platform's, and the project's sandbox on the sandbox-runner.
 */
import type { BindDeps, BoundPipeline } from '../agent/pipelines.ts';
import { createAgentsPipeline } from '../core/agents/pipeline.ts';
import type { LlmPort } from '../core/ports.ts';
import { describeError, log } from '../platform/logger.ts';
import { RunnerSandbox, unconfiguredSandbox } from '../sandbox/adapter.ts';
import { RunnerClient } from '../sandbox/client.ts';
import { llmConfig } from './config.ts';
import { parseModelTable, type ModelTable } from './models.ts';
import { createLlmPort } from './port.ts';
import { userKeySource } from './user-keys.ts';
import { userPriceSource } from './user-prices.ts';

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
  };
  if (!env.SANDBOX_RUNNER_URL) {
    const sandbox = unconfiguredSandbox;
    return { pipeline: createAgentsPipeline({ sandbox, app: sandbox }), llm, sandbox };
  }
  const sandbox = new RunnerSandbox({
    client: new RunnerClient({
      baseUrl: env.SANDBOX_RUNNER_URL,
      secret: env.SANDBOX_RUNNER_SECRET,
      projectId: project.projectId,
      fetch: deps.fetch,
    }),
  });
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
