import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf, parseStructured, reaskMessages } from './structured.ts';

const Spec = z.object({ title: z.string(), features: z.array(z.string()).min(1) });

describe('structured outputs', () => {
  it('turns a zod schema into a JSON schema without $schema', () => {
    const schema = jsonSchemaOf(Spec);
    expect(schema.$schema).toBeUndefined();
    expect(schema).toMatchObject({ type: 'object', required: ['title', 'features'] });
  });

  it('accepts fenced JSON and returns the raw value', () => {
    const parsed = parseStructured(Spec, { text: '```json\n{"title":"t","features":["a"],"extra":1}\n```' });
    expect(parsed).toEqual({ ok: true, value: { title: 't', features: ['a'], extra: 1 } });
  });

  it('says what is wrong, in a form the re-ask can quote', () => {
    expect(parseStructured(Spec, { text: '{"title": tru' })).toMatchObject({
      ok: false,
      error: /not valid JSON/,
    });
    const bad = parseStructured(Spec, { value: { title: 3, features: [] } });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toContain('title');
    expect(bad.error).toContain('features');
    const messages = reaskMessages([{ role: 'user', content: 'spec please' }], '{"title":3}', bad.error);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2]!.content).toContain(bad.error);
  });
});
