import type { Page } from '@playwright/test';
import { test, expect, httpStatusError, shots, signIn } from './fixtures';
import { baseURL } from '../playwright.config';

// Bulk delete: tick files (or "Select all shown"), confirm by typing the count, watch the run
// go through the rate gate, read its summary. Its code is a wasm chunk loaded on demand.

type Logged = { method: string; path: string; query?: string | null };

const bulkStatus = (page: Page) => page.getByRole('region', { name: 'Bulk delete' }).getByRole('status');

async function confirmBulk(page: Page, n: number) {
  await page.getByRole('button', { name: `Delete selected (${n})` }).click();
  const dialog = page.getByRole('dialog', { name: `Delete ${n} files?` });
  await expect(dialog).toBeVisible();
  const go = dialog.getByRole('button', { name: `Delete ${n} files` });
  await expect(go).toBeDisabled();
  await dialog.getByLabel(`Type ${n} to confirm`).fill(String(n + 1));
  await expect(go).toBeDisabled();
  await dialog.getByLabel(`Type ${n} to confirm`).fill(String(n));
  await expect(go).toBeEnabled();
  return { dialog, go };
}

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('ticked files go in one paced run: typed confirmation, progress, summary; each sent once', async ({ page, sim }) => {
  // Chunks are fetched on demand, not with the page: signing in fetched the sign-in chunk and
  // the small one it shares with the changes chunk (panel.spec.ts).
  await signIn(page);
  const chunks: string[] = [];
  page.on('request', (r) => { if (/-chunk-[0-9a-f]{16}\.wasm$/.test(r.url())) chunks.push(r.url()); });
  await expect(page.getByRole('button', { name: /Delete selected/ })).toHaveCount(0);
  for (const name of ['mac_collect.sh', 'Collect-Triage.ps1', 'Disable-Account.ps1']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  await expect(page.getByText('3 selected')).toBeVisible();
  // Ticking adds the changes chunk, once; the shared one this page has already.
  expect(chunks).toHaveLength(1);
  const { dialog, go } = await confirmBulk(page, 3);
  await expect(dialog).toContainText('Collect-Triage.ps1, Disable-Account.ps1, mac_collect.sh.');
  await page.screenshot({ path: shots('bulk-confirm') });
  await go.click();
  await expect(bulkStatus(page)).toHaveText('Deleted 3 of 3 files.');
  const bar = page.getByRole('progressbar', { name: 'Bulk delete progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '3');
  await expect(bar).toHaveAttribute('aria-valuemax', '3');
  await expect(page.getByText('17 files')).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete selected/ })).toBeHidden();
  await page.screenshot({ path: shots('bulk-summary') });
  const log: Logged[] = await sim('GET', '/requests');
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path).sort();
  expect(deletes).toEqual([
    '/api/libraryfiles/Collect-Triage.ps1', '/api/libraryfiles/Disable-Account.ps1', '/api/libraryfiles/mac_collect.sh',
  ]);
});

test('a chunk that cannot load (gone after a deploy, or altered on the way) is said in words; the next click tries again', async ({ page, expectConsoleErrors }) => {
  // The loader logs why; the page itself must not die.
  expectConsoleErrors(/status of 404|integrity|Failed to fetch|TypeError/);
  await signIn(page);
  const chunk = /-chunk-[0-9a-f]{16}\.wasm$/;
  // 1. Gone: a deploy replaced it while this page was open.
  await page.route(chunk, (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.getByRole('button', { name: 'Delete mac_collect.sh' }).click();
  const alert = page.getByRole('alert').filter({ hasText: 'Could not load the delete and upload tools' });
  await expect(alert).toHaveText('Could not load the delete and upload tools (the network, or a newer version). Reload the page.');
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.screenshot({ path: shots('chunk-unavailable') });
  // 2. Altered: the bytes differ from the build's, so its integrity check refuses them.
  await page.unroute(chunk);
  await page.route(chunk, async (route) => {
    const real = await route.fetch();
    const body = Buffer.from(await real.body());
    body[body.length - 1] ^= 1;
    await route.fulfill({ response: real, body });
  });
  let refused = 0;
  page.on('console', (m) => { if (/integrity/.test(m.text())) refused++; });
  await page.getByRole('checkbox', { name: 'Select mac_collect.sh' }).check();
  // The browser refused the altered bytes, and the page says so (again: the retry cleared it).
  await expect.poll(() => refused).toBeGreaterThan(0);
  await expect(alert).toBeVisible();
  await expect(page.getByRole('button', { name: /Delete selected/ })).toHaveCount(0);
  // 3. Served as built: with the file still ticked, Upload tries again; the message goes,
  // the tick was kept, and nothing asked for earlier pops up.
  await page.unroute(chunk);
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const upload = page.getByRole('dialog', { name: 'Upload to the library' });
  await expect(upload).toBeVisible();
  await expect(alert).toHaveCount(0);
  await expect(page.getByText('1 selected')).toBeVisible();
  await upload.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.getByRole('button', { name: 'Delete mac_collect.sh' }).click();
  await expect(page.getByRole('dialog', { name: /Delete mac_collect\.sh/ })).toBeVisible();
});

test('"Select all shown" takes the filtered rows; a 404 counts as not found, a 500 as failed, Retry failed sends it again', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(404, 500));
  await signIn(page);
  await page.getByRole('searchbox', { name: 'Filter' }).fill('.sh');
  await page.getByRole('checkbox', { name: 'Select all shown' }).check();
  const shown = await page.getByRole('rowheader').count();
  await expect(page.getByText(`${shown} selected`)).toBeVisible();
  expect(shown).toBeGreaterThanOrEqual(3);
  // One removed behind the panel's back (404), one the API refuses once (500).
  await sim('DELETE', '/files/mac_collect.sh');
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/linux_quarantine.sh', status: 500 });
  const { go } = await confirmBulk(page, shown);
  await go.click();
  await expect(bulkStatus(page)).toHaveText(`Deleted ${shown - 2} of ${shown} files; 1 was not found; 1 failed.`);
  const region = page.getByRole('region', { name: 'Bulk delete' });
  await expect(region.getByRole('listitem')).toHaveText([/^linux_quarantine\.sh: /]);
  await expect(page.locator('.outcomes [role=alert]')).toContainText('linux_quarantine.sh');
  await region.getByRole('button', { name: 'Retry failed' }).click();
  await expect(bulkStatus(page)).toHaveText('Deleted 1 of 1 files.');
  const log: Logged[] = await sim('GET', '/requests');
  // Sent twice: refused (500), then deleted.
  expect(log.filter((r) => r.method === 'DELETE' && r.path.endsWith('/linux_quarantine.sh'))).toHaveLength(2);
  await region.getByRole('button', { name: 'Dismiss' }).click();
  await expect(region).toBeHidden();
});

test('Pause holds the run, Resume goes on, Cancel stops it; nothing is sent twice', async ({ page, sim }) => {
  await signIn(page);
  await page.getByRole('checkbox', { name: 'Select all shown' }).check();
  await expect(page.getByText('20 selected')).toBeVisible();
  // Each DELETE held 400 ms, so the run is still going when Pause is pressed.
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', delayMs: 400, count: 20 });
  const { go } = await confirmBulk(page, 20);
  await go.click();
  const region = page.getByRole('region', { name: 'Bulk delete' });
  await expect(bulkStatus(page)).toContainText(/Deleting \d+ of 20, about \d+ s left/);
  await region.getByRole('button', { name: 'Pause' }).click();
  await expect(bulkStatus(page)).toContainText(/Paused after \d+ of 20 files\./);
  const paused = (await sim('GET', '/requests') as Logged[]).filter((r) => r.method === 'DELETE').length;
  await page.waitForTimeout(1200);
  const still = (await sim('GET', '/requests') as Logged[]).filter((r) => r.method === 'DELETE').length;
  expect(still - paused).toBeLessThanOrEqual(1); // at most the one in flight when paused
  await region.getByRole('button', { name: 'Resume' }).click();
  await expect(bulkStatus(page)).toContainText(/Deleting \d+ of 20/);
  await region.getByRole('button', { name: 'Cancel' }).click();
  await expect(bulkStatus(page)).toContainText(/^Canceled\. Deleted \d+ of 20 files; \d+ not tried\.$/);
  const log: Logged[] = await sim('GET', '/requests');
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path);
  expect(new Set(deletes).size).toBe(deletes.length);
  expect(deletes.length).toBeLessThan(20);
});

test('a 403 stops the run with the reason: every other file would fail the same way', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Riley Reader/ }).click();
  await expect(page.getByRole('table', { name: 'Live response library' })).toBeVisible();
  for (const name of ['mac_collect.sh', 'Collect-Triage.ps1']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  const { go } = await confirmBulk(page, 2);
  await go.click();
  await expect(bulkStatus(page)).toContainText(/^Stopped: .*Library\.Manage.* Deleted 0 of 2 files; 1 failed; 1 not tried\.$/);
  const log: Logged[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'DELETE')).toHaveLength(1);
});

test('a 401 mid-run refreshes once and goes on: nothing lost, nothing sent twice', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(401));
  await signIn(page);
  await page.getByRole('checkbox', { name: 'Select all shown' }).check();
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/Get-', status: 401, count: 1 });
  const { go } = await confirmBulk(page, 20);
  await go.click();
  await expect(bulkStatus(page)).toHaveText('Deleted 20 of 20 files.');
  await expect(page.getByText('The library is empty.')).toBeVisible();
  const log: Logged[] = await sim('GET', '/requests');
  // 21 DELETEs for 20 files: the one refused with 401 was sent again after the refresh.
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path);
  expect(deletes).toHaveLength(21);
  expect(new Set(deletes).size).toBe(20);
  const tokenPosts = log.filter((r) => r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token'));
  expect(tokenPosts).toHaveLength(2); // the code redemption, then one refresh
});

test('when only a new sign-in helps, the run waits; signing in again (a popup, the page kept) resumes it where it stopped', async ({ page, context, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 401)); // the API's 401, then the token endpoint's invalid_grant
  await signIn(page);
  for (const name of ['mac_collect.sh', 'Collect-Triage.ps1', 'Disable-Account.ps1']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  // The refresh token is dead and the API refuses the first DELETE: only a sign-in helps.
  await sim('POST', '/expire-refresh-tokens');
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 401, count: 1 });
  const { go } = await confirmBulk(page, 3);
  await go.click();
  await expect(bulkStatus(page)).toContainText('Waiting for you to sign in again; 0 of 3 files done.');
  const popupPromise = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  const popup = await popupPromise;
  await expect(popup.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  // The provider's COOP (as Entra's) severed the popup from the page: the answer must come
  // back without window.opener, and the page must wait rather than call it canceled.
  expect(await popup.evaluate(() => window.opener === null)).toBe(true);
  await expect(page.getByRole('status').filter({ hasText: 'Waiting for the sign-in window' })).toBeVisible();
  await expect(page.getByText(/canceled/i)).toHaveCount(0);
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await popup.waitForEvent('close');
  await expect(bulkStatus(page)).toHaveText('Deleted 3 of 3 files.');
  expect(page.url()).toBe(`${baseURL}/`); // the page never left
  const log: Logged[] = await sim('GET', '/requests');
  // Four DELETEs for three files: the refused one was sent again after the sign-in.
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path);
  expect(deletes).toHaveLength(4);
  expect(new Set(deletes).size).toBe(3);
});

test('"Sign in again" asks for the same person, and another account is refused: the run waits on under the first name', async ({ page, context, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400, 401));
  await signIn(page);
  for (const name of ['mac_collect.sh', 'Collect-Triage.ps1']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  await sim('POST', '/expire-refresh-tokens');
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 401, count: 1 });
  const { go } = await confirmBulk(page, 2);
  await go.click();
  await expect(bulkStatus(page)).toContainText('Waiting for you to sign in again; 0 of 2 files done.');
  await sim('DELETE', '/requests');
  let popupPromise = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  let popup = await popupPromise;
  await expect(popup.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  // The provider is asked for the session's account by its hint.
  const authorize = ((await sim('GET', '/requests')) as Logged[]).filter((r) => r.path.endsWith('/oauth2/v2.0/authorize'));
  expect(authorize).toHaveLength(1);
  expect(new URLSearchParams(authorize[0].query ?? '').get('login_hint')).toBe('ada.admin@contoso.example');
  // Someone else signs in in the popup: refused, said, and the run still waits.
  await popup.getByRole('button', { name: /Riley Reader/ }).click();
  await popup.waitForEvent('close');
  await expect(page.getByRole('alert').filter({ hasText: 'That was another account (Riley Reader).' })).toContainText(
    "This session is Ada Admin's: sign in again as Ada Admin, or sign out to switch accounts.");
  await expect(bulkStatus(page)).toContainText('Waiting for you to sign in again; 0 of 2 files done.');
  await expect(page.getByText('Signed in as Ada Admin')).toBeVisible();
  let log: Logged[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'DELETE')).toHaveLength(0);
  // The right person: the run goes on.
  popupPromise = context.waitForEvent('page');
  await page.getByRole('button', { name: 'Sign in again' }).click();
  popup = await popupPromise;
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(bulkStatus(page)).toHaveText('Deleted 2 of 2 files.');
  await expect(page.getByText('That was another account')).toHaveCount(0);
  log = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'DELETE')).toHaveLength(2);
});

test('a 429 mid-run (another tool shares the budget) waits its Retry-After and goes on; leaving mid-run asks first', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(429));
  await signIn(page);
  await page.getByRole('checkbox', { name: 'Select all shown' }).check();
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/Get-', status: 429, retryAfter: '2', count: 1 });
  // Each DELETE held 150 ms: the run is still going when the page is left.
  await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', delayMs: 150, count: 30 });
  const { go } = await confirmBulk(page, 20);
  await go.click();
  await expect(bulkStatus(page)).toContainText(/Deleting \d+ of 20/);
  // Leaving now: the browser asks (beforeunload), and staying keeps the run.
  const asked = page.waitForEvent('dialog');
  void page.close({ runBeforeUnload: true });
  const dialog = await asked;
  expect(dialog.type()).toBe('beforeunload');
  await dialog.dismiss();
  await expect(bulkStatus(page)).toHaveText('Deleted 20 of 20 files.', { timeout: 20_000 });
  const log: Logged[] = await sim('GET', '/requests');
  // 21 DELETEs for 20 files: the one refused with 429 was sent again after its wait.
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path);
  expect(deletes).toHaveLength(21);
  expect(new Set(deletes).size).toBe(20);
  // The run over, leaving asks nothing.
  await page.close({ runBeforeUnload: true });
});
