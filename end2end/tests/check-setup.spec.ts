import { test, expect, signIn, shots, httpStatusError } from './fixtures';
import type { Page } from '@playwright/test';
import { baseURL } from '../playwright.config';

// Check setup (issue 18, item 3): the checks a deployer runs on a new tenant, each with pass or
// fail and the fix. It passes on the demo, and each broken variant names its failing check.
// The checks and their view come with the sign-in chunk, on the first click.

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

/** The simulator's tenant (its `--tenant` default), in the demo authority. */
const tenant = '8b0f5e3c-2a41-4c6d-9e7f-1a2b3c4d5e6f';

const checks = (page: Page) => page.getByRole('list', { name: 'Setup checks' }).getByRole('listitem');
/** The line of the check called `name` (its verdict first: "Pass: ", "Fail: ", "Not checked: "). */
const line = (page: Page, name: string) =>
  checks(page).filter({ hasText: new RegExp(`^(Pass|Fail|Not checked): ${name.replace(/[.]/g, '\\.')}`) });
const summary = (page: Page) => page.getByRole('region', { name: 'Check setup' }).getByRole('status');

async function openCheckSetup(page: Page) {
  await page.getByRole('button', { name: 'Check setup' }).click();
  await expect(summary(page)).toContainText('passed');
}

test('Check setup passes on the demo, check by check, and closes again', async ({ page }) => {
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  const opener = page.getByRole('button', { name: 'Check setup' });
  await expect(opener).toHaveAttribute('aria-expanded', 'false');
  await openCheckSetup(page);
  await expect(summary(page)).toHaveText('7 passed, 0 failed, 0 not checked. Nothing to fix.');
  await expect(checks(page)).toHaveText([
    'Pass: config.json read and valid',
    'Pass: Sign-in discovery reachable',
    'Pass: Token acquired',
    'Pass: Library.Manage in the token',
    'Pass: The list call is allowed from this origin',
    'Pass: Content-Security-Policy sent',
    'Pass: frame-ancestors set',
  ]);
  await expect(opener).toHaveAttribute('aria-expanded', 'true');
  await page.getByRole('region', { name: 'Check setup' }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: shots('check-setup'), fullPage: true });
  await page.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByRole('region', { name: 'Check setup' })).toHaveCount(0);
  await expect(opener).toHaveAttribute('aria-expanded', 'false');
  // The button opens it again; a second click on it closes it, as Close does.
  await openCheckSetup(page);
  await opener.click();
  await expect(page.getByRole('region', { name: 'Check setup' })).toHaveCount(0);
});

test('signed out, Check setup names the missing token and leaves the token checks for later', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await openCheckSetup(page);
  await expect(line(page, 'Token acquired')).toHaveText(/^Fail: Token acquired\. Not signed in: sign in, then check again/);
  await expect(line(page, 'Library.Manage in the token')).toHaveText('Not checked: Library.Manage in the token (no token yet)');
  await expect(line(page, 'The list call is allowed from this origin')).toHaveText(/^Not checked:/);
  await expect(line(page, 'Sign-in discovery reachable')).toHaveText('Pass: Sign-in discovery reachable');
  await expect(summary(page)).toHaveText('4 passed, 1 failed, 2 not checked.');
});

test('a token without Library.Manage fails its check with what to grant, and the list call names the role', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await sim('POST', '/without-library-scope', { on: true });
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByText('Signed in as Ada Admin')).toBeVisible();
  await openCheckSetup(page);
  await expect(line(page, 'Library.Manage in the token')).toContainText('Fail: Library.Manage in the token. The token lacks Library.Manage');
  await expect(line(page, 'Library.Manage in the token')).toContainText('grant admin consent');
  await expect(line(page, 'The list call is allowed from this origin')).toContainText('The API refused access (403)');
  await expect(summary(page)).toHaveText('5 passed, 2 failed, 0 not checked.');
  await page.screenshot({ path: shots('check-setup-no-scope'), fullPage: true });
});

test('an authority whose discovery fails is named with the form it must have', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(500));
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  await sim('POST', '/faults', { method: 'GET', pathPrefix: `/${tenant}/v2.0/.well-known/`, status: 500 });
  await openCheckSetup(page);
  await expect(line(page, 'Sign-in discovery reachable')).toContainText('Fail: Sign-in discovery reachable.');
  await expect(line(page, 'Sign-in discovery reachable')).toContainText('Check auth.authority (');
  await expect(line(page, 'Token acquired')).toHaveText('Pass: Token acquired');
});

test('the API\'s CORS refusal fails the list-call check and points to the proxy path', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/blocked by CORS policy|Failed to load resource|ERR_FAILED/);
  const port = new URL(baseURL).port;
  await signIn(page, { at: `http://localhost:${port}/` });
  await expect(page.getByText('20 files')).toBeVisible();
  await sim('POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', noCors: true });
  await openCheckSetup(page);
  await expect(line(page, 'The list call is allowed from this origin')).toContainText('refuses this page\'s origin (CORS)');
  await expect(line(page, 'The list call is allowed from this origin')).toContainText('proxy path');
});

test('a page served without its security headers fails the CSP and frame-ancestors checks', async ({ page }) => {
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  // What a server that forgot dist/security-headers.conf sends: the page, no policy.
  await page.route((url) => url.pathname === '/', async (route) => {
    const resp = await route.fetch();
    const headers = { ...resp.headers() };
    delete headers['content-security-policy'];
    await route.fulfill({ response: resp, headers });
  });
  await openCheckSetup(page);
  await expect(line(page, 'Content-Security-Policy sent')).toContainText('Fail: Content-Security-Policy sent. The page came without a Content-Security-Policy header.');
  await expect(line(page, 'frame-ancestors set')).toContainText('Fail: frame-ancestors set.');
  await expect(summary(page)).toHaveText('5 passed, 2 failed, 0 not checked.');
});
