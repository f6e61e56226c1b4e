import { test, expect } from './fixtures';
import { baseURL, examplesURL } from '../playwright.config';

// `auth.mode: "proxy"`: the portal's backend (the simulator's `--portal` role) keeps the
// token; the browser sends only the portal's HttpOnly session cookie to a same-origin path.

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('proxy mode: no token in the browser, list and delete through the portal backend', async ({ page, sim }) => {
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
  const log: { method: string; path: string; bearer: boolean; headerNames: string[] }[] = await sim('GET', '/requests');
  const proxied = log.filter((r) => r.path.startsWith('/portal/mde-proxy/'));
  expect(proxied.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /portal/mde-proxy/api/libraryfiles',
    'DELETE /portal/mde-proxy/api/libraryfiles/mac_collect.sh',
  ]);
  expect(proxied.every((r) => !r.bearer)).toBeTruthy();
  // Each carries the marker the portal's backend requires against CSRF (README "proxy").
  for (const r of proxied) expect(r.headerNames).toContain('x-mde-library-admin');
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

// A page of another origin on the same site (here the examples' port: sites ignore ports; in
// production a sibling subdomain) gets the portal's SameSite cookie sent along. Without a
// defence it could overwrite a library script, which admins then run as SYSTEM, with a
// multipart POST that needs no preflight.
test('proxy mode: a page of the same site cannot change the library on the portal session (CSRF)', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 403|CORS|Failed to fetch|ERR_FAILED/);
  await page.goto('/portal/sign-in?account=admin');
  await expect(page.getByText('20 files')).toBeVisible();
  const before: { fileName: string; sha256: string }[] = await sim('GET', '/files');
  const original = before.find((f) => f.fileName === 'Collect-Triage.ps1')!;
  const attacker = await page.context().newPage();
  await attacker.goto(`${examplesURL}/`);
  const target = `${baseURL}/portal/mde-proxy/api/libraryfiles`;
  const answers = await attacker.evaluate(async (target) => {
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob(['Write-Output "not what was reviewed"']), 'Collect-Triage.ps1');
      f.append('Description', 'replaced');
      f.append('OverrideIfExists', 'true');
      return f;
    };
    const out: string[] = [];
    // No preflight: the browser sends it, with the cookie, and hides the answer.
    await fetch(target, { method: 'POST', mode: 'no-cors', credentials: 'include', body: form() });
    out.push('no-cors sent');
    // With the panel's marker header a preflight goes first, which the portal never approves.
    try {
      await fetch(target, { method: 'POST', credentials: 'include', headers: { 'X-MDE-Library-Admin': '1' }, body: form() });
      out.push('marked: answered');
    } catch {
      out.push('marked: refused by the browser');
    }
    return out;
  }, target);
  expect(answers).toEqual(['no-cors sent', 'marked: refused by the browser']);
  const after: { fileName: string; sha256: string }[] = await sim('GET', '/files');
  expect(after.find((f) => f.fileName === 'Collect-Triage.ps1')).toEqual(original);
  expect(after).toHaveLength(before.length);
  // The portal's backend refused the unmarked POST before forwarding it.
  const log: { method: string; path: string; status?: number }[] = await sim('GET', '/requests');
  const posts = log.filter((r) => r.method === 'POST' && r.path === '/portal/mde-proxy/api/libraryfiles');
  expect(posts).toHaveLength(1);
  // The panel itself still works: its calls carry the marker.
  await page.bringToFront();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByText('20 files')).toBeVisible();
  await page.getByRole('button', { name: 'Delete mac_collect.sh', exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Deleted mac_collect.sh.');
});
