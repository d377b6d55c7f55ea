import { z } from '@hono/zod-openapi';
import { ACCEPTED_PROVIDERS, MODEL_AGENTS, formatModelSpec, readModelSpec } from '../llm/models.ts';

/** Budgets above this are refused: $1,000 per project, in micro-dollars. */
export const MAX_BUDGET_MICROS = 1_000_000_000;
/** The budget of a project created without one: $5. */
export const DEFAULT_BUDGET_MICROS = 5_000_000;

/** An agent that calls a model, or `*` for every one. */
export const ModelAgent = z
  .enum(['*', ...MODEL_AGENTS])
  .openapi({ description: 'An agent, or `*` for every agent.' });

/**
 * `provider:model`; only the first colon separates (`openai-compatible:qwen2.5-coder:7b`). The provider
 * may be typed in any case or by another name (`compatible:`); a trailing `#8k` states the model's context
 * window (`context-windows.ts`); what is stored is the canonical form.
 */
export const ModelSpec = z
  .string()
  .trim()
  .max(200, 'Use at most 200 characters.')
  .transform((text, ctx) => {
    const spec = readModelSpec(text);
    if (spec) return formatModelSpec(spec);
    ctx.addIssue({
      code: 'custom',
      message: `Write provider:model, with a provider among ${ACCEPTED_PROVIDERS} (for example openai:gpt-4.1 or openai-compatible:llama3.2; add #8k to state a model's context window, at least 2k).`,
    });
    return z.NEVER;
  })
  .openapi({ type: 'string', example: 'anthropic:claude-sonnet-4-20250514' });

/** A spending cap in micro-dollars. */
export const Budget = z
  .number()
  .int('Give the budget in whole micro-dollars.')
  .min(0, 'The budget cannot be negative.')
  .max(MAX_BUDGET_MICROS, `The budget is at most ${MAX_BUDGET_MICROS} micro-dollars ($1,000).`);

/** Review before apply: the project setting. */
const ReviewChanges = z.boolean().openapi({
  description:
    "Review before apply: each code step's change waits for you to accept, edit or reject it before it is written (interactive runs only; autopilot never waits).",
});

const Name = z.string().trim().min(1, 'Give the project a name.').max(120, 'Use at most 120 characters.');

export const CreateProjectBody = z
  .strictObject({
    name: Name,
    description: z
      .string()
      .trim()
      .min(1, 'Describe the app you want.')
      .max(20_000, 'Use at most 20,000 characters.'),
    mode: z.enum(['autopilot', 'interactive']).default('interactive').openapi({
      description:
        '`interactive`: the agents ask when something is unclear. `autopilot`: they take the default.',
    }),
    budgetMicros: Budget.optional().openapi({
      description:
        'Spending cap in micro-dollars (1 USD = 1,000,000). Default: the budget in Settings, else $5.',
      example: 5_000_000,
    }),
    models: z
      .partialRecord(ModelAgent, ModelSpec)
      .default({})
      .openapi({ description: 'Model per agent for this project, over the choice in Settings.' }),
    pipeline: z.string().min(1).max(40).default('agents').openapi({
      description: 'The pipeline that builds the app: `agents`, the LLM agents (the only one offered).',
    }),
    reviewChanges: ReviewChanges.default(false),
  })
  .openapi('CreateProjectRequest');

export const UpdateProjectBody = z
  .strictObject({ name: Name.optional(), reviewChanges: ReviewChanges.optional() })
  .refine((body) => body.name !== undefined || body.reviewChanges !== undefined, {
    message: 'Give a new name or a setting to change.',
  })
  .openapi('UpdateProjectRequest');

export const ListProjectsQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
  cursor: z
    .string()
    .max(400)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: '`nextCursor` of the previous page.' }),
});

export const Project = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string(),
    mode: z.enum(['autopilot', 'interactive']),
    pipeline: z.string(),
    models: z.record(z.string(), z.string()),
    reviewChanges: z.boolean(),
    status: z.enum(['idle', 'running', 'waiting', 'paused', 'stopped', 'failed', 'completed']),
    budgetMicros: z.number().int(),
    costMicros: z.number().int().openapi({ description: 'What the calls of known price cost.' }),
    unpricedCalls: z
      .number()
      .int()
      .openapi({ description: 'Calls whose price is not known (not in costMicros; no budget holds them).' }),
    unfinishedTasks: z.number().int().openapi({
      description: 'Tasks of the plan that ended failed or skipped: not done, even when the run completed.',
    }),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    cachedTokens: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    lastActivityAt: z.iso.datetime(),
  })
  .openapi('Project');

export const ProjectPage = z
  .object({ items: z.array(Project), nextCursor: z.string().nullable() })
  .openapi('ProjectPage');
