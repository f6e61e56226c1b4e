import { test, expect } from './fixtures';
import { APIRequestContext } from '@playwright/test';
import { baseURL } from '../playwright.config';

// `auth.mode: "proxy"`: the portal's backend (the simulator's `--portal` role) keeps the
// token; the browser sends only the portal's HttpOnly session cookie to a same-origin path.

async function sim(request: APIRequestContext, method: 'GET' | 'POST' | 'DELETE', path: string) {
  const resp = await request.fetch(`${baseURL}/_sim${path}`, { method });
  expect(resp.ok(), `${method} /_sim${path}`).toBeTruthy();
  return resp.status() === 204 ? null : resp.json();
}

test.beforeEach(async ({ request }) => {
  await sim(request, 'POST', '/reset');
});

test('proxy mode: no token in the browser, list and delete through the portal backend', async ({ page, request }) => {
  const withAuthorization: string[] = [];
  page.on('request', (r) => { if (r.headers()['authorization']) withAuthorization.push(r.url()); });
  await page.goto('/portal/sign-in?account=admin');
  await expect(page).toHaveURL(`${baseURL}/portal/`);
  await expect(page.getByText('20 files')).toBeVisible();
  // Nothing to sign in or out of here: the portal owns the session.
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete mac_collect.sh', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Deleted mac_collect.sh.');
  expect(withAuthorization).toEqual([]);
  const log: { method: string; path: string; bearer: boolean }[] = await sim(request, 'GET', '/requests');
  const proxied = log.filter((r) => r.path.startsWith('/portal/mde-proxy/'));
  expect(proxied.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /portal/mde-proxy/api/libraryfiles',
    'DELETE /portal/mde-proxy/api/libraryfiles/mac_collect.sh',
  ]);
  expect(proxied.every((r) => !r.bearer)).toBeTruthy();
  const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(storage).toBe('{}');
  expect(await page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: not readable by script
});

test('proxy mode: an expired portal session says so and offers Reload', async ({ page, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 401/);
  await page.goto('/portal/sign-in?account=admin');
  await expect(page.getByText('20 files')).toBeVisible();
  await page.request.get('/portal/sign-out'); // shares the page's cookies
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.locator('.reauth[role=alert]')).toContainText('Your portal session has expired.');
  await expect(page.locator('.load-error')).toContainText('Your portal session has expired');
  // What was on screen stays.
  await expect(page.getByRole('rowheader', { name: 'mac_collect.sh' })).toBeVisible();
  // Reload goes through the portal, which (with no session) still answers 401.
  await page.getByRole('button', { name: 'Reload' }).click();
  await expect(page.locator('.reauth[role=alert]')).toContainText('Your portal session has expired.');
  // Signing in to the portal again brings the panel back.
  await page.goto('/portal/sign-in?account=reader');
  await expect(page.getByText('20 files')).toBeVisible();
  await expect(page.locator('.reauth')).toHaveCount(0);
});
