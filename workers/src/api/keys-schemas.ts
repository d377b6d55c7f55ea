import { z } from '@hono/zod-openapi';
import { MAX_LISTED_MODELS } from '../keys/probe.ts';
import { ACCEPTED_PROVIDERS, canonicalProvider } from '../llm/models.ts';

const Label = z.string().trim().min(1, 'Give the key a label.').max(80, 'Use at most 80 characters.');

// Printable ASCII without spaces: what every provider's keys are made of. It also keeps
// header-injection characters (CR, LF) out of the Authorization header the SDKs build.
const keyOf = (min: number) =>
  z
    .string()
    .trim()
    .min(min, `A key has at least ${min} characters.`)
    .max(512, 'A key has at most 512 characters.')
    .regex(/^[\x21-\x7e]+$/, 'A key has no spaces or special characters.');

const hosted = <P extends 'openai' | 'anthropic' | 'groq'>(provider: P) =>
  z.strictObject({ provider: z.literal(provider), label: Label.optional(), key: keyOf(8) });

/** The provider as typed, in any case or by another name people use for it (`compatible`), made canonical. */
function canonicalBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || !('provider' in body)) return body;
  const typed = (body as { provider: unknown }).provider;
  const provider = typeof typed === 'string' ? canonicalProvider(typed) : null;
  return provider ? { ...body, provider } : body;
}

const AddKeyUnion = z.discriminatedUnion(
  'provider',
  [
    hosted('openai'),
    hosted('anthropic'),
    hosted('groq'),
    z.strictObject({
      provider: z.literal('openai-compatible'),
      label: Label.optional(),
      // Local servers (Ollama) accept any key; the field is still required so the UI never sends none.
      key: keyOf(1),
      baseUrl: z
        .string()
        .trim()
        .min(1, 'Enter the server URL.')
        .max(2048)
        .openapi({ example: 'https://llm.example.com/v1' }),
    }),
  ],
  { error: `Choose a provider: ${ACCEPTED_PROVIDERS}.` },
);

// Typed as what the UI sends (the canonical names); the other spellings are accepted all the same.
export const AddKeyBody = z
  .preprocess<unknown, typeof AddKeyUnion, z.input<typeof AddKeyUnion>>(canonicalBody, AddKeyUnion)
  .openapi('AddKeyRequest');

export const Key = z
  .object({
    id: z.uuid(),
    provider: z.enum(['openai', 'anthropic', 'groq', 'openai-compatible']),
    label: z.string(),
    last4: z.string().openapi({
      description: 'The last four characters of the key, to tell keys apart (empty for a key under 16).',
    }),
    baseUrl: z.string().nullable(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable(),
    lastTestedAt: z.iso.datetime().nullable(),
    lastTestOk: z.boolean().nullable(),
    models: z.array(z.string()).openapi({
      description: `The models the provider listed at the last successful test (at most ${MAX_LISTED_MODELS}).`,
    }),
    modelsListedAt: z.iso.datetime().nullable(),
  })
  .openapi('Key');

export const KeyList = z.object({ items: z.array(Key) }).openapi('KeyList');

export const KeyTest = z
  .object({
    ok: z.boolean(),
    result: z.enum(['ok', 'invalid_key', 'provider_error', 'unreachable']),
    message: z.string(),
    modelCount: z.number().int().optional(),
    key: Key,
  })
  .openapi('KeyTest');
