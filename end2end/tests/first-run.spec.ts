import { test, expect, signIn, shots, httpStatusError } from './fixtures';
import type { Page } from '@playwright/test';
import { baseURL, examplesURL } from '../playwright.config';

// A first run against a real tenant (issue 18, item 3): each failure Entra ID names by its
// AADSTS number, and the API's CORS refusal, get their own words with the fix, where they
// happen. The simulator answers each as Entra does (a fault's `aadsts`, sim/src/faults/entra.rs).

const redirectUri = `${baseURL}/`;

/** The sign-in section's failure notice. */
const notice = (page: Page) => page.locator('.signin [role=alert]');
const loadError = (page: Page) => page.locator('.load-error[role=alert]');

/** Sign in through the picker as Ada Admin, for answers that come after the account is picked. */
async function pickAda(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
}

/** A refresh the panel must make: the API refuses the token once, the list is reloaded. */
async function forceRefresh(page: Page, sim: (m: 'POST', p: string, d: unknown) => Promise<unknown>) {
  await sim('POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', status: 401 });
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
}

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('AADSTS50011: back from Entra\'s own error page, the panel names the redirect URI to register', async ({ page, sim, expectConsoleErrors }) => {
  // The error page's 400, and the browser's favicon request on the provider's origin.
  expectConsoleErrors(httpStatusError(400, 404));
  await sim('POST', '/faults', { aadsts: 50011 });
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Entra never sends anyone to an address it does not know: it shows its own page.
  await expect(page.getByRole('heading', { name: /trouble signing you in/ })).toBeVisible();
  await expect(page.getByText(/AADSTS50011/)).toBeVisible();
  await page.goBack();
  await expect(notice(page)).toContainText('The sign-in did not come back to the panel. If Microsoft\'s page said AADSTS50011');
  await expect(notice(page)).toContainText(`add exactly ${redirectUri} to the app registration under Authentication, Single-page application`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  // Said once: the next load is a plain first visit.
  await page.reload();
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(notice(page)).toHaveCount(0);
});

test('AADSTS50011 in a popup: the waiting panel says what that window\'s error means, before it is needed', async ({ page, context, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 404));
  await sim('POST', '/faults', { aadsts: 50011 });
  // A framed panel signs in through a popup; Entra shows its error there and sends nothing back.
  await page.goto(`${examplesURL}/iframe-signin.html`);
  const panel = page.frameLocator('iframe[title="Live response library"]');
  const popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const popup = await popupPromise;
  await expect(popup.getByText(/AADSTS50011/)).toBeVisible();
  const waiting = panel.getByRole('status').filter({ hasText: 'Waiting for the sign-in window' });
  await expect(waiting).toContainText('If that window says AADSTS50011, the redirect URI is not registered');
  await expect(waiting).toContainText(`add exactly ${redirectUri} to the app registration under Authentication, Single-page application.`);
  await popup.close();
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('AADSTS9002326: a redirect URI registered as Web says to move it to Single-page application', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400));
  await sim('POST', '/faults', { aadsts: 9002326 });
  await pickAda(page);
  await expect(notice(page)).toHaveText(
    `The redirect URI ${redirectUri} is registered as "Web", not "Single-page application", so Microsoft Entra ID refuses to complete the sign-in in the browser (AADSTS9002326). An admin must remove it from the Web platform and add it under Authentication, Single-page application.`);
  await expect(page.getByText('Signed in as')).toHaveCount(0);
  await page.screenshot({ path: shots('first-run-not-spa') });
});

test('AADSTS65001 (consent_required on the redirect): admin consent for Library.Manage is missing', async ({ page, sim }) => {
  await sim('POST', '/faults', { aadsts: 65001 });
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(notice(page)).toContainText('Admin consent is missing: this app may not use the Library.Manage permission yet (AADSTS65001).');
  await expect(notice(page)).toContainText('Grant admin consent');
  await expect(page).toHaveURL(redirectUri);
});

test('AADSTS700084: the 24-hour refresh token of a single-page app asks to sign in again, and signing in again works', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 401));
  await signIn(page);
  await sim('POST', '/faults', { aadsts: 700084 });
  await forceRefresh(page, sim);
  await expect(loadError(page)).toContainText('Your sign-in is 24 hours old, the most Microsoft Entra ID allows a single-page app before it asks again (AADSTS700084). Sign in again.');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('table', { name: 'Live response library' })).toBeVisible();
});

test('the simulator\'s own 24-hour expiry is AADSTS700084 too', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 401));
  await signIn(page);
  await sim('POST', '/expire-refresh-tokens');
  await forceRefresh(page, sim);
  await expect(loadError(page)).toContainText('(AADSTS700084). Sign in again.');
});

test('AADSTS50076 on a renewal, AADSTS50079 on the code redemption: multi-factor authentication, sign in again', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 401));
  await signIn(page);
  await sim('POST', '/faults', { aadsts: 50076 });
  await forceRefresh(page, sim);
  await expect(loadError(page)).toContainText('Your organization requires multi-factor authentication for this (AADSTS50076). Sign in again and complete the verification.');
  await expect(page.getByRole('button', { name: 'Sign in again' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await sim('POST', '/faults', { aadsts: 50079 });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(notice(page)).toHaveText('Your organization requires you to set up multi-factor authentication (AADSTS50079). Sign in again and set it up when asked.');
});

test('the API\'s CORS refusal is told apart from a network failure, and points to the proxy path', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/blocked by CORS policy|Failed to load resource|ERR_FAILED|ERR_CONNECTION_REFUSED/);
  // The panel at http://localhost:PORT, the API at http://127.0.0.1:PORT: CORS applies.
  const port = new URL(baseURL).port;
  await signIn(page, { at: `http://localhost:${port}/` });
  await sim('POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', noCors: true });
  await page.getByRole('button', { name: 'Refresh', exact: true }).click();
  await expect(loadError(page)).toContainText(
    'Could not load the library: the API refuses this page\'s origin (CORS). Set apiBase to a same-origin proxy path (README: proxy).');
  await page.screenshot({ path: shots('first-run-cors') });

  // The same call with the API out of reach is a network failure, in other words.
  await page.route(/\/api\/libraryfiles/, (route) => route.abort('connectionrefused'));
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(loadError(page)).toContainText('the API could not be reached (network error');
  await expect(loadError(page)).not.toContainText('CORS)');
});
