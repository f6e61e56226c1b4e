import type { Page } from '@playwright/test';
import { test, expect, httpStatusError, shots, signIn, type Sim } from './fixtures';
import { baseURL } from '../playwright.config';

// Driven the way a person drives it: roles and accessible names. The simulator's /_sim
// control surface sets the scene (reset, faults, files removed behind the app's back).

// The control surface answers reads with 200 and JSON, changes with 204 and no body.
test.use({ simAnswers: 'contract' });

type Logged = { method: string; path: string; bearer: boolean };
const requestLog = (sim: Sim): Promise<Logged[]> => sim('GET', '/requests');

function watch(page: Page) {
  const withToken: string[] = [];
  page.on('request', (r) => {
    if (r.headers()['authorization']) withToken.push(r.url());
  });
  return withToken;
}

const status = (page: Page) => page.locator('.outcomes [role=status]');
const alert = (page: Page) => page.locator('.outcomes [role=alert]');

async function confirmDelete(page: Page, name: string) {
  await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(name);
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
}

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('admin signs in; the list shows the seed; tokens stay in memory and at the API origin', async ({ page }) => {
  const withToken = watch(page);
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  for (const name of ['Collect-Triage.ps1', 'linux_quarantine.sh', 'procdump64.exe']) {
    await expect(page.getByRole('rowheader', { name })).toBeVisible();
  }
  await expect(page).toHaveURL(`${baseURL}/`); // code and state removed from the address bar
  const storage = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
  }));
  expect(storage.local).toBe('{}');
  // The PKCE verifier and state were removed after use; what stays is the account's sign-in
  // name, for one silent sign-in after a reload: never a token.
  expect(JSON.parse(storage.session)).toEqual({ 'mde-library-admin.login-hint': 'ada.admin@contoso.example' });
  // Filter and sort, as a person would.
  await page.getByRole('searchbox', { name: 'Filter' }).fill('JONATHAN');
  await expect(page.getByText(/Showing 6 of 20 files/)).toBeVisible();
  await page.getByRole('searchbox', { name: 'Filter' }).fill('');
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
  await page.getByRole('button', { name: 'Name' }).click();
  await page.screenshot({ path: shots('list') });
  expect(withToken.length).toBeGreaterThan(0);
  for (const url of withToken) {
    expect(new URL(url).origin).toBe(baseURL);
    expect(new URL(url).pathname).toMatch(/^\/api\/libraryfiles(\/|$)/);
  }
});

test('signing in is code of its own: a first visit fetches none of it; when it does not load, the panel says so and keeps no code in the address bar', async ({ page, expectConsoleErrors }) => {
  // A refused chunk: its 404, the integrity check of its empty body, the loader's TypeError.
  expectConsoleErrors(/status of 404|integrity|Failed to fetch|TypeError/);
  const chunks: string[] = [];
  page.on('request', (r) => { if (/-chunk-[0-9a-f]{16}\.wasm$/.test(r.url())) chunks.push(r.url()); });
  let refuse = true;
  await page.route(/-chunk-[0-9a-f]{16}\.wasm$/, (route) => (refuse ? route.fulfill({ status: 404, body: '' }) : route.continue()));
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  expect(chunks).toHaveLength(0);
  // The click needs the sign-in chunk: it does not load, and the page stays.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Part of the panel did not load. Check the connection and sign in again.');
  await expect(page).toHaveURL(`${baseURL}/`);
  // Back from the provider with a code, and the chunk does not load: the code leaves the
  // address bar all the same, and the page says what to do.
  refuse = false;
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  refuse = true;
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('alert')).toContainText('Part of the panel did not load. Check the connection and sign in again.');
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByText('Signed in as Ada Admin')).toHaveCount(0);
  // With the chunk back, signing in works.
  refuse = false;
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByText('Signed in as Ada Admin')).toBeVisible();
});

test('delete asks for confirmation, Escape cancels and returns focus, Delete gives 204 inline', async ({ page, sim }) => {
  await signIn(page);
  const button = page.getByRole('button', { name: 'Delete Collect-Triage.ps1', exact: true });
  await button.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('Collect-Triage.ps1');
  await expect(dialog).toContainText('cannot be undone');
  const sha = (await sim('GET', '/files')).find((f: { fileName: string }) => f.fileName === 'Collect-Triage.ps1').sha256;
  await expect(dialog).toContainText(sha);
  await page.screenshot({ path: shots('confirm-dialog') });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(button).toBeFocused();

  await confirmDelete(page, 'Collect-Triage.ps1');
  await expect(status(page)).toContainText('Deleted Collect-Triage.ps1.');
  await expect(page.getByRole('rowheader', { name: 'Collect-Triage.ps1' })).toHaveCount(0);
  await expect(page.getByText('19 files')).toBeVisible();
  await page.screenshot({ path: shots('deleted-204') });
  const files = await sim('GET', '/files');
  expect(files.map((f: { fileName: string }) => f.fileName)).not.toContain('Collect-Triage.ps1');
});

test('a file removed behind the app gives the 404 message and the list reloads', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(404));
  await signIn(page);
  await sim('DELETE', '/files/Isolate-Network.ps1');
  await confirmDelete(page, 'Isolate-Network.ps1');
  await expect(alert(page)).toContainText(
    'Isolate-Network.ps1 was not found in the library; it may have been deleted already.');
  await expect(page.getByRole('rowheader', { name: 'Isolate-Network.ps1' })).toHaveCount(0);
  await page.screenshot({ path: shots('not-found-404') });
});

test('the reader account (scope, no Defender role) gets the 403 explanation on delete', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await signIn(page, { account: 'Riley Reader' });
  await confirmDelete(page, 'Export-DefenderLogs.ps1');
  await expect(alert(page)).toContainText('Could not delete Export-DefenderLogs.ps1: You lack Library.Manage');
  await expect(alert(page)).toContainText('Defender role');
  await expect(page.getByRole('rowheader', { name: 'Export-DefenderLogs.ps1' })).toBeVisible();
  await page.screenshot({ path: shots('forbidden-403') });
  expect((await sim('GET', '/files')).length).toBe(20);
});

test('403 on delete names the permission and the Defender role', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await signIn(page);
  await sim('POST', '/faults', {
    method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 403,
    body: { error: { code: 'Forbidden', message: 'Missing role', target: '1f0c' } },
  });
  await confirmDelete(page, 'Get-InstalledSoftware.ps1');
  await expect(alert(page)).toContainText('Could not delete Get-InstalledSoftware.ps1: You lack Library.Manage');
  await expect(alert(page)).toContainText('Defender role');
  await expect(page.getByRole('rowheader', { name: 'Get-InstalledSoftware.ps1' })).toBeVisible();
});

test('429 with Retry-After: 2 counts down, then retries and succeeds', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(429));
  await signIn(page);
  await sim('POST', '/faults', {
    method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 429, retryAfter: '2',
    body: { error: { code: 'TooManyRequests', message: 'Rate limit is exceeded', target: 'a1' } },
  });
  await confirmDelete(page, 'Clear-TempFolders.ps1');
  await expect(status(page)).toContainText(/Rate limited; retrying in [12] s to delete Clear-TempFolders\.ps1\./);
  await expect(page.getByRole('button', { name: 'Delete Clear-TempFolders.ps1' })).toBeDisabled();
  await page.screenshot({ path: shots('rate-limited-429') });
  await expect(status(page)).toContainText('Deleted Clear-TempFolders.ps1.', { timeout: 8_000 });
  const deletes = (await requestLog(sim)).filter((r) => r.method === 'DELETE');
  expect(deletes.length).toBe(2);
});

test('429 retry can be stopped and nothing is removed', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(429));
  await signIn(page);
  await sim('POST', '/faults', {
    method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 429, retryAfter: '30',
  });
  await confirmDelete(page, 'mac_collect.sh');
  await expect(status(page)).toContainText('Rate limited; retrying in');
  await page.getByRole('button', { name: 'Stop retrying mac_collect.sh' }).click();
  await expect(status(page)).toContainText('Stopped retrying; mac_collect.sh was not deleted.');
  await expect(page.getByRole('rowheader', { name: 'mac_collect.sh' })).toBeVisible();
});

test('an injected 401 triggers one refresh, then the delete succeeds', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(401));
  await signIn(page);
  await sim('POST', '/faults', {
    method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 401,
    body: { error: { code: 'Unauthorized', message: 'expired', target: 'b2' } },
  });
  await confirmDelete(page, 'Reset-WinsockStack.ps1');
  await expect(status(page)).toContainText('Deleted Reset-WinsockStack.ps1.');
  const log = await requestLog(sim);
  const tokenPosts = log.filter((r) => r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token'));
  expect(tokenPosts.length).toBe(2); // the code redemption, then exactly one refresh
  expect(log.filter((r) => r.method === 'DELETE').length).toBe(2);
});

test('an expired refresh token asks to sign in again and keeps the page', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(401, 400)); // the API's 401, then the token endpoint's invalid_grant
  await signIn(page);
  await page.getByRole('searchbox', { name: 'Filter' }).fill('ps1');
  await sim('POST', '/expire-refresh-tokens');
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 401 });
  await confirmDelete(page, 'Disable-Account.ps1');
  await expect(page.getByRole('button', { name: 'Sign in again' })).toBeVisible();
  await expect(page.getByText('Your sign-in has expired. Sign in again')).toBeVisible();
  await expect(alert(page)).toContainText('Could not delete Disable-Account.ps1');
  await expect(page.getByRole('rowheader', { name: 'Disable-Account.ps1' })).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Filter' })).toHaveValue('ps1');
  await page.screenshot({ path: shots('sign-in-again') });
  // Signing in again round-trips and restores the filter.
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('searchbox', { name: 'Filter' })).toHaveValue('ps1');
  await expect(page.getByRole('rowheader', { name: 'Disable-Account.ps1' })).toBeVisible();
});

test('a renewal whose answer was lost spends the refresh token: a sign-in is asked for, and the old token is never sent again', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 401|ERR_CONTENT_LENGTH_MISMATCH|Failed to fetch|network error/i);
  await signIn(page);
  // The provider renews (and rotates the refresh token), but its answer is cut short.
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/8b0f5e3c-2a41-4c6d-9e7f-1a2b3c4d5e6f/oauth2/v2.0/token', truncated: true });
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 401, count: 2 });
  await confirmDelete(page, 'Disable-Account.ps1');
  await expect(page.getByText('Your sign-in has expired. Sign in again to continue; the filter is kept.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in again' })).toBeVisible();
  await expect(alert(page)).toContainText('Could not delete Disable-Account.ps1: your sign-in has expired or was refused.');
  // Another try: the API's 401 again, and no second renewal with the spent token.
  await confirmDelete(page, 'Collect-Triage.ps1');
  await expect(alert(page)).toContainText('Could not delete Collect-Triage.ps1');
  const log = await requestLog(sim);
  const tokenPosts = log.filter((r) => r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token'));
  expect(tokenPosts.length).toBe(2); // the code redemption, then the one renewal
  // A new sign-in renews the session.
  await page.getByRole('button', { name: 'Sign in again' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByText('Signed in as Ada Admin')).toBeVisible();
});

test('names the real API would refuse go percent-encoded as one path segment', async ({ page, sim }) => {
  const odd = 'weird name #1 %41?é.ps1';
  await sim('POST', '/files', {
    fileName: odd, sha256: 'ab'.repeat(32), description: 'odd', creationTime: '2026-01-01T00:00:00.0000000Z',
    lastUpdatedTime: '2026-01-01T00:00:00.0000000Z', createdBy: 'x', hasParameters: false,
  });
  await sim('POST', '/files', {
    fileName: 'weird name ', sha256: 'cd'.repeat(32), description: 'decoy: a prefix of the odd name',
    creationTime: '2026-01-01T00:00:00.0000000Z', lastUpdatedTime: '2026-01-01T00:00:00.0000000Z',
    createdBy: 'x', hasParameters: false,
  });
  await signIn(page);
  await confirmDelete(page, odd);
  await expect(status(page)).toContainText(`Deleted ${odd}.`);
  const deletes = (await requestLog(sim)).filter((r) => r.method === 'DELETE');
  expect(deletes.map((d) => d.path)).toEqual(['/api/libraryfiles/weird%20name%20%231%20%2541%3F%C3%A9.ps1']);
  const names = (await sim('GET', '/files')).map((f: { fileName: string }) => f.fileName);
  expect(names).not.toContain(odd);
  expect(names).toContain('weird name ');
});

test('HTML and script in API text render as text and run nothing', async ({ page, sim }) => {
  const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
  await sim('POST', '/files', {
    fileName: 'evil.ps1', sha256: 'ef'.repeat(32), description: evil, creationTime: '2026-01-01T00:00:00.0000000Z',
    lastUpdatedTime: '2026-01-01T00:00:00.0000000Z', createdBy: '<b>Mallory</b>', hasParameters: false,
  });
  await signIn(page);
  await expect(page.getByRole('cell', { name: evil })).toBeVisible();
  await expect(page.getByRole('cell', { name: '<b>Mallory</b>' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('table img, table script').count()).toBe(0);
});

test('a denied sign-in is explained in plain words', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByRole('alert')).toContainText('Sign-in was not completed: access_denied');
  await expect(page.getByRole('alert')).toContainText('AADSTS65004');
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
});

test('a bad config.json names the file and the field', async ({ page }) => {
  await page.route('**/config.json', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ apiBase: 'https://api.security.microsoft.com', auth: { mode: 'pkce' } }) }));
  await page.goto('/');
  await expect(page.getByRole('alert')).toContainText('The panel cannot start');
  await expect(page.getByRole('alert')).toContainText('config.json: field "auth.authority" is missing');
  await page.screenshot({ path: shots('config-error') });
});

test('the page is served with a strict Content-Security-Policy', async ({ request }) => {
  const resp = await request.get(`${baseURL}/`);
  const csp = resp.headers()['content-security-policy'];
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  expect(csp).not.toContain('unsafe-inline');
});

test('when the client-side budget is spent, calls wait and the page says until when', async ({ page, request, sim }) => {
  // Same simulator, but the app is told to allow only 2 calls a minute.
  await page.route('**/config.json', async (route) => {
    const real = await (await request.get(`${baseURL}/config.json`)).json();
    real.rateLimit = { perMinute: 2, perHour: 100 };
    await route.fulfill({ contentType: 'application/json', body: JSON.stringify(real) });
  });
  await signIn(page); // call 1: the list
  await confirmDelete(page, 'Clear-TempFolders.ps1'); // call 2
  await expect(status(page)).toContainText('Deleted Clear-TempFolders.ps1.');
  await confirmDelete(page, 'Restore-HostsFile.ps1'); // call 3 must wait
  await expect(status(page)).toContainText(
    /Request budget spent \(2 a minute, 100 an hour\); the next call waits until \d\d:\d\d:\d\d\./);
  await expect(page.getByRole('button', { name: 'Delete Restore-HostsFile.ps1' })).toBeDisabled();
  await page.screenshot({ path: shots('budget-wait') });
  const deletes = (await requestLog(sim)).filter((r) => r.method === 'DELETE');
  expect(deletes.length).toBe(1); // the waiting call has not been sent
});

/** Rewrites one query parameter of the provider's redirect back to the app, as an attacker in the middle would. */
async function tamperRedirect(page: Page, param: string, value: string) {
  await page.route(/\/oauth2\/v2\.0\/authorize/, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const resp = await route.fetch({ maxRedirects: 0 });
    const location = new URL(resp.headers()['location']);
    location.searchParams.set(param, value);
    await route.fulfill({ status: 302, headers: { location: location.toString() } });
  });
}

test('an authorization response from another issuer (RFC 9207 iss) is refused', async ({ page }) => {
  await tamperRedirect(page, 'iss', 'https://evil.example/v2.0');
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('alert')).toContainText('unexpected issuer (https://evil.example/v2.0)');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expect(page).toHaveURL(`${baseURL}/`);
});

test('a tampered state is refused', async ({ page }) => {
  await tamperRedirect(page, 'state', 'forged');
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('alert')).toContainText('state mismatch');
  await expect(page.getByText('Signed in as')).toHaveCount(0);
});

test('a 500 shows code, message and tracking id; a network failure says so; nothing is removed', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(500));
  expectConsoleErrors(/^Failed to load resource: net::ERR_CONNECTION_REFUSED /);
  await signIn(page);
  await sim('POST', '/faults', {
    method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 500,
    body: { error: { code: 'InternalServerError', message: 'Something went wrong', target: '7d3e1c2a-0000-4000-8000-000000000500' } },
  });
  await confirmDelete(page, 'Check-Hashes.ps1');
  await expect(alert(page)).toContainText(
    'Could not delete Check-Hashes.ps1: the API answered 500: InternalServerError: Something went wrong (tracking id 7d3e1c2a-0000-4000-8000-000000000500). Nothing was removed.');
  await page.route(/\/api\/libraryfiles\//, (route) => route.abort('connectionrefused'));
  await confirmDelete(page, 'Check-Hashes.ps1');
  // No status came back: the page cannot know whether the server deleted it, and says so.
  await expect(alert(page)).toContainText(
    'No answer about deleting Check-Hashes.ps1: the API could not be reached (network error or the server refused the browser\'s CORS request). It may have been deleted; Refresh shows the library as it is.');
  await expect(alert(page)).not.toContainText('Nothing was removed');
  await expect(page.getByRole('rowheader', { name: 'Check-Hashes.ps1' })).toBeVisible();
  await page.screenshot({ path: shots('server-error') });
  expect((await sim('GET', '/files')).length).toBe(20);
});

test('sign out reaches the other tabs of the panel: each forgets its tokens and sends none after', async ({ page, context }) => {
  await signIn(page);
  const other = await context.newPage();
  const withToken = watch(other);
  await signIn(other);
  withToken.length = 0;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(other.getByRole('status').filter({ hasText: 'You signed out of this panel in another tab.' })).toBeVisible();
  await expect(other.getByRole('table')).toHaveCount(0);
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await other.screenshot({ path: shots('signed-out-in-another-tab') });
  // Reloaded, the other tab does not sign in silently with the account it had.
  await other.reload();
  await expect(other.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await other.waitForTimeout(300);
  await expect(other.getByText(/Signed in as/)).toHaveCount(0);
  expect(withToken).toEqual([]);
  await other.close();
});

test('sign out forgets the session; signing in again works', async ({ page }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'You are signed out of this panel.' })).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('table', { name: 'Live response library' })).toBeVisible();
});
