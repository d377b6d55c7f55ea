import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { aborted, useBrowser, newContext, screenshot, watchProblems } from './browser.ts';
import { createProjectViaApi, openAndStart, runStatus, signUpViaApi } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/** The text of the conversation, item by item, as a reader sees it. */
const conversation = (page: Page) =>
  page
    .locator('[data-conversation] li')
    .evaluateAll((items) => items.map((li) => (li as HTMLElement).innerText.trim()));

describe('project workspace', () => {
  it('shows the run live: a question answered with a button, steps, plan, diffs, files, terminal, edit, zip', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Todo API',
      description: 'A small todo REST API with tests.',
      mode: 'interactive',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);

    // The SpecWriter's question parks the run until it is answered in the UI.
    const question = page.locator('[data-question]');
    await question.waitFor({ timeout: 30_000 });
    await runStatus(page, 'waiting');
    expect(await question.innerText()).toContain('Where should the app keep its data?');
    await screenshot(page, 'workspace-question');
    await question.getByRole('button', { name: 'SQLite' }).click();
    await page.locator('[data-answer]', { hasText: 'SQLite' }).waitFor();

    await runStatus(page, 'completed');
    expect(await page.locator('[data-run-status="completed"]').last().innerText()).toContain(
      'The run is complete',
    );
    const steps = page.locator('li[data-step]');
    expect(await steps.count()).toBe(3);
    expect(await page.locator('li[data-step][data-status="completed"]').count()).toBe(3);
    expect(await steps.first().locator('[data-duration]').innerText()).toMatch(/\d+(\.\d)? (ms|s)/);

    // The plan follows the tasks as they complete.
    expect(await page.locator('[data-plan-progress]').innerText()).toBe('2 of 2 tasks');

    // What the scaffolding step changed, as diffs.
    await page.getByRole('button', { name: /2 files changed/ }).click();
    const dialog = page.getByRole('dialog', { name: /What step \d+ changed/ });
    await dialog.locator('[data-change="package.json"]').waitFor();
    expect(await dialog.locator('[data-change="README.md"] tr[data-op="added"]').count()).toBeGreaterThan(0);
    expect(await dialog.locator('[data-change="README.md"]').innerText()).toContain(
      'A small todo REST API with tests.',
    );
    await screenshot(page, 'workspace-step-diff', { fullPage: false });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // Files: the tree, the code view, and an edit saved as a new version.
    await page.getByRole('tab', { name: 'Files' }).click();
    await page.locator('[data-file="src/index.js"]').click();
    await expect
      .poll(() => page.locator('[data-open-file]').innerText(), { timeout: 15_000 })
      .toBe('src/index.js');
    const editor = page.locator('[data-editor-ready="true"][data-editor-path="src/index.js"] .cm-content');
    await editor.waitFor();
    expect(await editor.innerText()).toContain('export const hello');
    await editor.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('export const bye = () => "bye";\n');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved as version 2').waitFor();
    await screenshot(page, 'workspace-files');

    // The terminal shows the command and how it ended; the plain view has the same text.
    await page.getByRole('tab', { name: /Terminal/ }).click();
    const rows = page.locator('[data-terminal-ready="true"] .xterm-rows');
    await rows.waitFor();
    await expect.poll(() => rows.innerText(), { timeout: 15_000 }).toContain('$ npm test');
    expect(await rows.innerText()).toContain('exit 0');
    await screenshot(page, 'workspace-terminal');
    await page.getByRole('button', { name: 'Show as text' }).click();
    expect(await page.locator('[data-terminal-text]').innerText()).toMatch(/\$ npm test[\s\S]*exit 0/);

    // The project as a zip, with the user's edit in it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.zip$/);
    const zip = readFileSync(await download.path());
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');

    expect(problems).toEqual([]);
    await context.close();
  });

  it('resumes after a dropped socket without losing or repeating a line', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    // A scripted run long enough to drop the socket in the middle of it.
    const script = {
      steps: [
        { title: 'Warm up', agent: 'SpecWriter', actions: [{ llm: 'warm up', chunks: 10, delayMs: 150 }] },
        {
          title: 'Count',
          agent: 'Developer',
          repeat: 12,
          actions: [{ emit: 5 }, { llm: 'count', chunks: 4, delayMs: 100 }],
        },
      ],
    };
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Chatty',
      description: JSON.stringify(script),
      mode: 'autopilot',
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);

    // The test sits between the page and the server: it can cut the line, and it sees what goes
    // through (the `resume` the page asks with, the sequence numbers the server answers with).
    let sockets = 0;
    let refuse = false;
    const live: { close: () => Promise<void> }[] = [];
    const resumes: number[] = [];
    const firstSeqAfterResume: number[] = [];
    await page.routeWebSocket(/\/api\/projects\/[^/]+\/live/, (ws) => {
      sockets++;
      if (refuse) {
        void ws.close({ code: 1011, reason: 'test: network down' });
        return;
      }
      const server = ws.connectToServer();
      let awaitingFirst = false;
      ws.onMessage((message) => {
        const frame = JSON.parse(String(message)) as { type: string; after?: number };
        if (frame.type === 'resume') {
          resumes.push(frame.after ?? -1);
          awaitingFirst = true;
        }
        server.send(message);
      });
      server.onMessage((message) => {
        // The page asks for batches: several events may come in one message, in order.
        const frame = JSON.parse(String(message)) as { seq?: number; events?: { seq: number }[] };
        const seq = frame.events ? frame.events[0]?.seq : frame.seq;
        if (awaitingFirst && seq !== undefined) {
          firstSeqAfterResume.push(seq);
          awaitingFirst = false;
        }
        ws.send(message);
      });
      live.push(ws);
    });

    await openAndStart(page, baseUrl, id);
    await expect.poll(() => page.locator('li[data-step]').count(), { timeout: 30_000 }).toBeGreaterThan(2);

    // Drop the connection and keep the network down for a while: events pile up on the server.
    refuse = true;
    await live.at(-1)!.close();
    await page.locator('[data-connection="reconnecting"]').waitFor();
    await screenshot(page, 'workspace-reconnecting', { fullPage: false });
    await page.waitForTimeout(2500);
    refuse = false;
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    expect(sockets).toBeGreaterThan(1);
    // The page asked for exactly what came after the last event it had, and got exactly that next.
    expect(resumes[0]).toBe(0);
    const after = resumes.at(-1)!;
    expect(after).toBeGreaterThan(0);
    await expect.poll(() => firstSeqAfterResume.length, { timeout: 15_000 }).toBe(resumes.length);
    expect(firstSeqAfterResume.at(-1)).toBe(after + 1);

    await runStatus(page, 'completed', 60_000);
    const seen = await conversation(page);
    for (let i = 1; i <= 5; i++) {
      expect(seen.filter((text) => text.endsWith(`event ${i} of 5`))).toHaveLength(12);
    }

    // A fresh page replays the whole log from the start: it must show exactly the same conversation.
    const fresh = await context.newPage();
    await fresh.goto(`${baseUrl}/projects/${id}`);
    await runStatus(fresh, 'completed');
    await fresh.locator('[data-connection="live"]').waitFor();
    expect(await conversation(fresh)).toEqual(seen);

    expect(problems.filter((p) => !(p.kind === 'console' && p.text.includes('WebSocket')))).toEqual([]);
    await context.close();
  });

  it('stops at the budget and says why', async () => {
    const context = await newContext(browser());
    await signUpViaApi(context, baseUrl);
    const spend = (title: string) => ({ title, actions: [{ llm: title, costMicros: 400_000 }] });
    const id = await createProjectViaApi(context, baseUrl, {
      name: 'Spender',
      description: JSON.stringify({ steps: [spend('One'), spend('Two'), spend('Three'), spend('Four')] }),
      mode: 'autopilot',
      budgetMicros: 1_000_000,
    });
    const page = await context.newPage();
    const problems = watchProblems(page, aborted);
    await openAndStart(page, baseUrl, id);

    await runStatus(page, 'paused');
    const reason = page.locator('[data-run-reason="budget"]');
    await reason.waitFor();
    expect(await reason.innerText()).toMatch(/budget is spent/i);
    expect(await page.locator('[data-conversation] [data-reason="budget"]').innerText()).toMatch(
      /budget is spent/i,
    );
    const meter = page.getByRole('meter', { name: 'Budget used' });
    expect(Number(await meter.getAttribute('aria-valuenow'))).toBeGreaterThanOrEqual(1);
    await screenshot(page, 'workspace-budget-stop');

    // Resuming is refused while the budget is spent, and the refusal is shown.
    await page.getByRole('button', { name: 'Resume' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The run did not do that' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/budget/i);

    expect(problems).toEqual([]);
    await context.close();
  });
});
