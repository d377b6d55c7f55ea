/**
 * Errors the agents understand, thrown by adapters behind the ports. They live in the core so the
 * agents can react to them without importing any adapter.
 */

const PROVIDER_NAMES: Record<string, string> = {
  openai: 'OpenAI',
  anthropic: 'Anthropic',
  groq: 'Groq',
  compatible: 'your OpenAI-compatible server',
};

/**
 * No API key is available for the provider an agent's model needs: neither the user's own key nor a
 * platform key. The agents park the run with a question asking the user to add one.
 */
export class LlmKeyMissing extends Error {
  readonly provider: string;
  constructor(provider: string) {
    const name = PROVIDER_NAMES[provider] ?? provider;
    super(`No API key for ${name}: add one in Settings → LLM keys.`);
    this.name = 'LlmKeyMissing';
    this.provider = provider;
  }
}

/**
 * The project's sandbox was created afresh (the old one was reaped or lost): its workspace is empty, so
 * the caller must write every file again, not only the ones that changed.
 */
export class SandboxReset extends Error {
  constructor() {
    super('the sandbox was recreated; its workspace must be written again in full');
    this.name = 'SandboxReset';
  }
}
