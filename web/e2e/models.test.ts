import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import type {} from '../../infra/stack/e2e-context.ts';
import { COMPATIBLE_MODELS } from '../../infra/llm-fixture/catalog.ts';
import { validFixtureKey } from '../../infra/llm-fixture/keys.ts';
import { aborted, useBrowser, newContext, screenshot, watchProblems, type Problem } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');
const fixtureUrl = inject('llmFixtureUrl');

const browser = useBrowser();

/** A local model the platform has no price for: what a person running Ollama would pick. */
const LOCAL_MODEL = 'openai-compatible:llama3.2:3b';

/**
 * A scripted run whose one LLM call is of {@link LOCAL_MODEL}, of unknown price, answering 4,000
 * characters: 1,000 output tokens (the scripted adapter counts 4 characters a token).
 */
const unpricedRun = JSON.stringify({
  steps: [
    {
      title: 'Write it',
      agent: 'CodeMonkey',
      task: 'Build',
      endsTask: true,
      actions: [
        { llm: 'write it', reply: 'x'.repeat(4000), costMicros: null, model: LOCAL_MODEL },
        { write: 'index.js', content: 'console.log("hi");\n' },
      ],
    },
  ],
});

/** The values the page's model suggestions offer. */
const suggestions = (page: Page, list: string) =>
  page
    .locator(`datalist#${list} option`)
    .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));

/**
 * Reloads the Usage page until its `term` total reads `value`: the ledger is written just after a run
 * (through an outbox), and priced again when the person sets a price.
 */
async function usageTotal(page: Page, term: 'Calls' | 'Cost', value: string): Promise<void> {
  await expect
    .poll(
      async () => {
        await page.reload();
        const total = page.locator(`[data-total="${term}"]`);
        await total.filter({ hasNotText: '–' }).waitFor();
        return total.innerText();
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toBe(value);
}

describe('models that are easy to pick', () => {
  it("offers a saved key's models under one provider name, canonicalises `compatible:`, and says which price is unknown", async () => {
    expect(fixtureUrl, 'the stack runs the LLM fixture').not.toBe('');
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await page.goto(`${baseUrl}/settings`);
    await page.getByText('No keys yet').waitFor();
    // Before any key: the platform's defaults, each provider under its one name.
    await expect
      .poll(() => suggestions(page, 'model-suggestions'), { timeout: 15_000 })
      .toContain('openai:gpt-4.1');
    const before = await suggestions(page, 'model-suggestions');
    expect(before.every((m) => /^(openai|anthropic|groq|openai-compatible):/.test(m))).toBe(true);
    expect(before).not.toContain(LOCAL_MODEL);

    // The key dialog names the provider as the model fields do.
    await page.getByRole('button', { name: 'Add a key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add an LLM key' });
    await dialog.getByLabel('Provider').selectOption('openai-compatible');
    expect(await dialog.locator('#key-provider-hint').innerText()).toContain('openai-compatible:<model>');
    await dialog.getByLabel('Server URL').fill(`${fixtureUrl}/compatible/v1`);
    await dialog
      .getByLabel('API key')
      .fill(validFixtureKey('compatible', `models${Date.now().toString(36)}`));
    await dialog.getByLabel('Label (optional)').fill('My Ollama');
    await dialog.getByRole('button', { name: 'Save key' }).click();
    await dialog.waitFor({ state: 'detached' });

    // A new key is tested at once; what its provider lists joins the suggestions without a reload.
    const key = page.locator('[data-key]');
    await key.locator('[data-test-outcome]').waitFor({ timeout: 30_000 });
    expect(await key.locator('[data-test-outcome]').innerText()).toBe(
      `The key works: the provider lists ${COMPATIBLE_MODELS.length} models, offered in the model fields.`,
    );
    expect(await key.locator('[data-key-models]').innerText()).toContain(LOCAL_MODEL);
    const listed = COMPATIBLE_MODELS.map((m) => `openai-compatible:${m.id}`);
    await expect
      .poll(() => suggestions(page, 'model-suggestions'), { timeout: 15_000 })
      .toEqual(expect.arrayContaining([...listed, 'openai:gpt-4.1']));
    expect(
      await page.locator(`datalist#model-suggestions option[value="${LOCAL_MODEL}"]`).getAttribute('label'),
    ).toBe('listed by My Ollama · price unknown');

    // The older name and any case are read as the one name; a local model's price is unknown.
    const all = page.getByLabel('All agents');
    await all.fill('compatible:llama3.2:3b');
    const allInfo = page.locator('#model-all-model-info');
    await allInfo.waitFor();
    expect(await allInfo.innerText()).toContain(`Saved as ${LOCAL_MODEL}.`);
    expect(await allInfo.locator('[data-price-unknown]').innerText()).toBe('Price unknown');
    await page.getByLabel('Developer').fill('OpenAI-Compatible:oracle');
    const writer = page.getByLabel('TechnicalWriter');
    await writer.fill('openai:gpt-4.1-mini');
    expect(await page.locator('#model-TechnicalWriter-model-info [data-model-price]').innerText()).toMatch(
      /^\$\d+\.\d{2,4} in · \$\d+\.\d{2,4} out per million tokens\.$/,
    );
    await screenshot(page, 'settings-model-field');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.', { exact: false }).first().waitFor();
    await page.reload();
    await expect.poll(() => all.inputValue(), { timeout: 15_000 }).toBe(LOCAL_MODEL);
    expect(await page.getByLabel('Developer').inputValue()).toBe('openai-compatible:oracle');
    expect(await writer.inputValue()).toBe('openai:gpt-4.1-mini');

    expect(problems).toEqual([]);
    await context.close();
  });

  it("places the API's refusal of a price at the model field and keeps what was typed", async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    // The refusal is the answer expected here (a 422, which Chromium also logs).
    const refused = (problem: Problem) =>
      aborted(problem) ||
      (problem.kind === 'http' && problem.status === 422) ||
      (problem.kind === 'console' && problem.text.includes('422'));
    const problems = watchProblems(page, refused);
    await page.goto(`${baseUrl}/settings`);

    // A dated variant of a listed model has its family's list price: one's own price is refused there.
    const model = page.getByLabel('Model', { exact: true });
    await model.fill('openai:gpt-4.1-2025-04-14');
    await page.getByLabel('Input, USD per million tokens').fill('0.5');
    await page.getByLabel('Output, USD per million tokens').fill('1.5');
    await page.getByRole('button', { name: 'Save price' }).click();

    const error = page.locator('#price-model-error');
    await error.waitFor();
    expect(await error.innerText()).toContain('has a list price');
    expect(await model.getAttribute('aria-invalid')).toBe('true');
    expect(await model.getAttribute('aria-describedby')).toContain('price-model-error');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('price-model');
    // Nothing the person typed is lost, and no other message competes with the field's.
    expect(await model.inputValue()).toBe('openai:gpt-4.1-2025-04-14');
    expect(await page.getByLabel('Input, USD per million tokens').inputValue()).toBe('0.5');
    expect(await page.getByLabel('Output, USD per million tokens').inputValue()).toBe('1.5');
    expect(await page.locator('[data-form-error]').count()).toBe(0);
    expect(await page.locator('[data-price-status]').innerText()).toBe('');
    await screenshot(page, 'settings-price-refused');

    // Corrected, it saves, and the message goes.
    await model.fill('openai-compatible:my-model');
    await page.getByRole('button', { name: 'Save price' }).click();
    await expect
      .poll(() => page.locator('[data-price-status]').innerText(), { timeout: 15_000 })
      .toBe('Saved the price of openai-compatible:my-model. Its calls from now on use it.');
    expect(await error.count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows "price unknown" (never $0.00) and tokens in Usage for a model without a price, until the person sets one', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Local',
      description: unpricedRun,
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);
    await runStatus(page, 'completed');

    // The workspace's meter: no cost is known, and it says so instead of $0.00.
    const meter = page.locator('[data-cost-meter]');
    await expect
      .poll(() => meter.locator('[data-cost]').innerText(), { timeout: 15_000 })
      .toBe('price unknown');
    expect(await meter.locator('[data-unpriced]').innerText()).toContain('1 call of unknown price');

    // Usage: the cost chart would be an axis of $0.00 without bars, so it shows the tokens.
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL(`${baseUrl}/usage`);
    await usageTotal(page, 'Calls', '1');
    expect(await page.locator('[data-total="Cost"]').innerText()).toBe('price unknown');
    await page.locator('[data-usage-chart="tokens"]').waitFor();
    expect(await page.locator('#chart-title').innerText()).toBe('Tokens per day');
    expect(await page.locator('[data-unpriced-note]').innerText()).toContain(
      'No call in this range has a known price',
    );
    const today = new Date().toISOString().slice(0, 10);
    const bar = page.locator(`[data-day="${today}"]`);
    // 1,000 output tokens and the few of the prompt.
    expect(await bar.getAttribute('aria-label')).toMatch(/: 1,0\d\d$/);
    expect(await bar.locator('rect:not(.hit)').count()).toBe(1);
    expect(await page.locator('[data-usage-row] [data-model-cost]').innerText()).toBe('price unknown');
    expect(await page.locator('main').innerText()).not.toContain('$0.00');
    await screenshot(page, 'usage-price-unknown');

    // Settings lists the model as used without a price; pricing it prices the call already made.
    await page.getByRole('link', { name: 'Settings' }).first().click();
    const unpriced = page.locator(`[data-unpriced-model="${LOCAL_MODEL}"]`);
    await unpriced.waitFor();
    expect(await unpriced.innerText()).toContain('1 call, price unknown');
    await unpriced.getByRole('button', { name: 'Set a price' }).click();
    expect(await page.getByLabel('Model', { exact: true }).inputValue()).toBe(LOCAL_MODEL);
    await page.getByLabel('Input, USD per million tokens').fill('1');
    await page.getByLabel('Output, USD per million tokens').fill('250');
    await page.getByRole('button', { name: 'Save price' }).click();
    await expect
      .poll(() => page.locator('[data-price-status]').innerText(), { timeout: 15_000 })
      .toBe(`Saved the price of ${LOCAL_MODEL}. 1 earlier call of it now has a cost.`);
    await page.locator(`[data-own-price="${LOCAL_MODEL}"]`).waitFor();
    await unpriced.waitFor({ state: 'detached' });
    // The model fields now give it that price.
    await page.getByLabel('All agents').fill(LOCAL_MODEL);
    expect(await page.locator('#model-all-model-info [data-model-price]').innerText()).toBe(
      '$1.00 in · $250.00 out per million tokens (your price).',
    );
    await screenshot(page, 'settings-prices');

    // Usage and the project's meter show the cost: 1,000 output tokens at $250 per million.
    await page.getByRole('link', { name: 'Usage' }).click();
    await page.waitForURL(`${baseUrl}/usage`);
    await usageTotal(page, 'Cost', '$0.25');
    expect(await page.locator('[data-total="Calls"]').innerText()).toBe('1');
    await page.locator('[data-usage-chart="cost"]').waitFor();
    expect(await page.locator('[data-unpriced-note]').count()).toBe(0);
    expect(await bar.getAttribute('aria-label')).toMatch(/: \$0\.25$/);
    expect(await page.locator('[data-usage-row] [data-model-cost]').innerText()).toBe('$0.25');

    await page.goto(`${baseUrl}/projects/${id}`);
    await expect.poll(() => meter.locator('[data-cost]').innerText(), { timeout: 15_000 }).toBe('$0.25');
    expect(await meter.locator('[data-unpriced]').count()).toBe(0);

    expect(problems).toEqual([]);
    await context.close();
  });
});
