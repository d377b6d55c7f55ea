import { describe, expect, inject, it } from 'vitest';
import { useBrowser, newContext, screenshot, watchProblems } from './browser.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

describe('design system', () => {
  it('labels form fields and marks invalid ones', async () => {
    const context = await newContext(browser());
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${baseUrl}/design`);

    const email = page.getByLabel('Email');
    await email.waitFor();
    expect(await email.getAttribute('type')).toBe('email');
    const budget = page.getByLabel('Budget (USD)');
    expect(await budget.getAttribute('aria-invalid')).toBe('true');
    expect(await budget.evaluate((el) => el.getAttribute('aria-describedby'))).toBe('design-budget-error');

    await screenshot(page, 'design-system');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens a dialog from the keyboard, keeps focus inside it, and returns focus on close', async () => {
    const context = await newContext(browser());
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${baseUrl}/design`);

    const trigger = page.getByRole('button', { name: 'Rename project' });
    await trigger.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Rename project' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(
      await page.evaluate(() => document.querySelector('[role="dialog"]')?.contains(document.activeElement)),
    ).toBe(true);

    // Tabbing past the last control wraps around inside the dialog.
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      expect(
        await page.evaluate(() =>
          document.querySelector('[role="dialog"]')?.contains(document.activeElement),
        ),
      ).toBe(true);
    }

    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Rename project');

    // Submitting the form inside closes it too, with the value kept.
    await trigger.click();
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Todo app');
    await screenshot(page, 'design-system-dialog', { fullPage: false });
    await page.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await page.locator('[data-saved-name]').innerText()).toBe('Saved: Todo app');

    expect(problems).toEqual([]);
    await context.close();
  });
});
