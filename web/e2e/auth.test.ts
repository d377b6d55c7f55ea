import { describe, expect, inject, it } from 'vitest';
import { useBrowser, newContext, screenshot, watchProblems, type Problem } from './browser.ts';
import { PASSWORD, pathOf, signUpViaApi, uniqueEmail } from './helpers.ts';

const baseUrl = inject('baseUrl');

const browser = useBrowser();

/**
 * Responses a test provokes on purpose (Chromium also logs each as a console error), and requests a
 * navigation cut short (the favicon of the page being left).
 */
const expected =
  (...statuses: number[]) =>
  (problem: Problem) =>
    (problem.kind === 'http' && statuses.includes(problem.status ?? 0)) ||
    (problem.kind === 'console' && statuses.some((s) => problem.text.includes(`status of ${s}`))) ||
    (problem.kind === 'requestfailed' && problem.text === 'net::ERR_ABORTED');

describe('sign up, sign in, sign out', () => {
  it('shows the password policy inline, creates the account, and signs out', async () => {
    const context = await newContext(browser());
    const page = await context.newPage();
    const problems = watchProblems(page, expected(422));
    const email = uniqueEmail('signup');

    await page.goto(`${baseUrl}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();

    const password = page.getByLabel('Password');
    await expect.poll(() => password.getAttribute('aria-invalid'), { timeout: 15_000 }).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    expect(describedBy).toContain('auth-password-error');
    expect(await page.locator('#auth-password-error').innerText()).toContain('at least 10 characters');
    // The field with the problem gets the focus, so a keyboard user lands where the fix is.
    expect(await password.evaluate((el) => el === document.activeElement)).toBe(true);
    await screenshot(page, 'signup-errors');

    await password.fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${baseUrl}/projects`);
    await page.getByRole('heading', { name: 'Build your first app' }).waitFor();
    expect(await page.locator('[data-user-email]').innerText()).toBe(email);
    await screenshot(page, 'dashboard-empty');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${baseUrl}/signin`);
    // The session is really over: the dashboard sends the visitor to sign in again.
    await page.goto(`${baseUrl}/projects`);
    await page.waitForURL(`${baseUrl}/signin?next=%2Fprojects`);

    expect(problems.filter((p) => !expected(401)(p))).toEqual([]);
    await context.close();
  });

  it('says so inline when the password is wrong, then signs in and returns to the page asked for', async () => {
    const setup = await newContext(browser());
    const email = await signUpViaApi(setup, baseUrl);
    await setup.close();

    const context = await newContext(browser());
    const page = await context.newPage();
    const problems = watchProblems(page, expected(401));
    await page.goto(`${baseUrl}/settings`);
    await page.waitForURL(`${baseUrl}/signin?next=%2Fsettings`);

    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not the right password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Wrong email or password.');
    expect(pathOf(page)).toBe('/signin?next=%2Fsettings');
    await screenshot(page, 'signin-wrong-password');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${baseUrl}/settings`);
    await page.getByRole('heading', { name: 'LLM keys' }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });

  it('never sends a visitor to another site after signing in', async () => {
    const context = await newContext(browser());
    const email = await signUpViaApi(context, baseUrl);
    const page = await context.newPage();
    // Signed in already: the sign-in page forwards at once, to the dashboard instead of the foreign URL.
    await page.goto(`${baseUrl}/signin?next=${encodeURIComponent('//evil.example/steal')}`);
    await page.waitForURL(`${baseUrl}/projects`);
    expect(await page.locator('[data-user-email]').innerText()).toBe(email);
    await context.close();
  });
});
