import { describe, expect, it } from 'vitest';
import { LlmError } from './errors.ts';
import {
  chooseModel,
  formatModelSpec,
  layerModels,
  parseModelSpec,
  parseModelTable,
  readModelSpec,
} from './models.ts';

describe('model per agent', () => {
  it('uses the built-in defaults, a small model for the writer', () => {
    expect(chooseModel('Developer', {})).toEqual({ provider: 'openai', model: 'gpt-4.1', explicit: false });
    expect(chooseModel('TechnicalWriter', {}).model).toBe('gpt-4.1-mini');
  });

  it('prefers the call, then the project override for the agent, then the project wildcard, then the platform', () => {
    const platform = { '*': 'groq:llama-3.3-70b-versatile', Developer: 'openai:o4-mini' };
    const project = {
      '*': 'anthropic:claude-3-5-haiku-20241022',
      CodeMonkey: 'anthropic:claude-sonnet-4-20250514',
    };
    expect(chooseModel('CodeMonkey', { project, platform }).model).toBe('claude-sonnet-4-20250514');
    expect(chooseModel('Developer', { project, platform }).model).toBe('claude-3-5-haiku-20241022');
    expect(chooseModel('Developer', { platform }).model).toBe('o4-mini');
    expect(chooseModel('Architect', { platform }).provider).toBe('groq');
    expect(chooseModel('Architect', { requested: 'openai:gpt-4o', project, platform })).toMatchObject({
      model: 'gpt-4o',
      explicit: true,
    });
  });

  it("layers a project's choice over its owner's: the project's wildcard beats the owner's per-agent entry", () => {
    const owner = { '*': 'groq:llama-3.3-70b-versatile', Developer: 'openai:o4-mini' };
    const pick = (project: Record<string, string>, agent: string) =>
      chooseModel(agent, { project: layerModels(project, owner) }).model;
    expect(pick({}, 'Developer')).toBe('o4-mini');
    expect(pick({}, 'Architect')).toBe('llama-3.3-70b-versatile');
    expect(pick({ Architect: 'openai:gpt-4o' }, 'Architect')).toBe('gpt-4o');
    expect(pick({ Architect: 'openai:gpt-4o' }, 'Developer')).toBe('o4-mini');
    expect(pick({ '*': 'anthropic:claude-sonnet-4-20250514' }, 'Developer')).toBe('claude-sonnet-4-20250514');
  });

  it('splits provider and model at the first colon only, and refuses unknown providers', () => {
    expect(parseModelSpec('openai-compatible:qwen2.5-coder:7b')).toEqual({
      provider: 'openai-compatible',
      model: 'qwen2.5-coder:7b',
    });
    expect(() => parseModelSpec('mistral:large')).toThrow(LlmError);
    expect(() => parseModelSpec('gpt-4.1')).toThrow(/provider:model/);
    expect(() => parseModelSpec('mistral:large')).toThrow(/openai-compatible \(compatible also works\)/);
  });

  it('reads the other spellings of a provider and stores the one name', () => {
    for (const typed of ['compatible:oracle', 'OpenAI-Compatible:oracle', ' openai_compatible:oracle ']) {
      expect(formatModelSpec(parseModelSpec(typed))).toBe('openai-compatible:oracle');
    }
    expect(formatModelSpec(parseModelSpec('OpenAI:gpt-4.1'))).toBe('openai:gpt-4.1');
    // The model keeps its case: servers tell models apart by it.
    expect(readModelSpec('groq:Llama-X')?.model).toBe('Llama-X');
    expect(readModelSpec('openai:')).toBeNull();
    expect(parseModelTable('{"*":"compatible:oracle"}', 'LLM_MODELS')).toEqual({
      '*': 'openai-compatible:oracle',
    });
  });

  it('checks a JSON model table once, up front', () => {
    expect(parseModelTable('', 'LLM_MODELS')).toEqual({});
    expect(parseModelTable('{"*":"openai:gpt-4.1"}', 'LLM_MODELS')).toEqual({ '*': 'openai:gpt-4.1' });
    expect(() => parseModelTable('{"*": 3}', 'LLM_MODELS')).toThrow(/must be a string/);
    expect(() => parseModelTable('nope', 'LLM_MODELS')).toThrow(/not JSON/);
  });
});
