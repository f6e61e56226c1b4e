import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect, httpStatusError, shots, signIn as signInAs, type Sim } from './fixtures';

// The panel as deployed: nginx with deploy/nginx.conf serving a copy of this build, its
// config.json (apiBase /mde-proxy) and the headers scripts/security-headers.sh generated, in
// front of a simulator whose API refuses CORS (so every API call must go through the proxy).
// scripts/nginx-e2e.sh sets the scene and runs this with playwright.deploy.config.ts; in the
// simulator-only run (playwright.config.ts) it is skipped.

const env = (name: string) => process.env[name] ?? '';
const deployURL = env('MDE_DEPLOY_URL');
const simURL = env('MDE_DEPLOY_SIM');
const site = env('MDE_DEPLOY_SITE');
const portalURL = env('MDE_PORTAL_URL');
const foreignURL = env('MDE_FOREIGN_URL');

// The simulator is not behind nginx: its control surface is on its own origin.
test.use({ simURL });

test.beforeEach(async ({ sim }, testInfo) => {
  test.skip(testInfo.project.name !== 'deploy' || !deployURL, 'runs through nginx: scripts/nginx-e2e.sh');
  await sim('POST', '/reset');
});

type Logged = { method: string; path: string; headerNames: string[]; bearer: boolean; origin: string | null };
const apiCalls = async (sim: Sim): Promise<Logged[]> =>
  ((await sim('GET', '/requests')) as Logged[]).filter((r) => r.path.startsWith('/api/'));

/** The `add_header` lines nginx includes, as name → value. */
function generatedHeaders(): Map<string, string> {
  const lines = readFileSync(`${site}/security-headers.conf`, 'utf-8').split('\n');
  const headers = new Map<string, string>();
  for (const line of lines.filter((l) => l.startsWith('add_header '))) {
    const m = /^add_header ([A-Za-z-]+) "([^"]*)" always;$/.exec(line);
    expect(m, line).not.toBeNull();
    headers.set(m![1].toLowerCase(), m![2]);
  }
  return headers;
}

/** Violations Chromium reports on the console (script, style, connect, frame-ancestors). */
function cspViolations(page: Page) {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) seen.push(m.text());
  });
  return seen;
}

/** Signs in on the provider's page, another origin than nginx's, and comes back to the panel. */
async function signIn(page: Page) {
  await signInAs(page, { provider: simURL });
  await expect(page).toHaveURL(`${deployURL}/`);
}

async function confirmDelete(page: Page, name: string) {
  await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(name);
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
}

const uploads = env('MDE_DEPLOY_UPLOADS') === '1';

test('uploads, when the deployer turns them on (MDE_UPLOADS=1): a 20 MB file goes through the proxy; a bigger body is refused', async ({ page, request, sim }) => {
  test.skip(!uploads, 'the second nginx pass of scripts/nginx-e2e.sh');
  await signIn(page);
  const big = Buffer.alloc(20 * 1024 * 1024 - 64, 'x');
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles({ name: 'Big-Collector.ps1', mimeType: 'text/plain', buffer: big });
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploaded Big-Collector.ps1.', { timeout: 30_000 });
  const posts = (await apiCalls(sim)).filter((c) => c.method === 'POST');
  expect(posts.map((c) => [c.path, c.bearer, c.origin])).toEqual([['/api/libraryfiles', true, null]]);
  // Past 21 MB nginx answers 413 itself; the upstream never sees it.
  const marked = { Authorization: 'Bearer not-a-token', 'X-MDE-Library-Admin': '1', 'Content-Type': 'application/octet-stream' };
  const over = await request.post(`${deployURL}/mde-proxy/api/libraryfiles`, { headers: marked, data: Buffer.alloc(22 * 1024 * 1024) });
  expect(over.status()).toBe(413);
  expect((await apiCalls(sim)).filter((c) => c.method === 'POST').length).toBe(1);
  // The CSRF checks hold for POST too.
  expect((await request.post(`${deployURL}/mde-proxy/api/libraryfiles`, { headers: { Authorization: 'Bearer not-a-token' } })).status()).toBe(403);
});

test('nginx sends exactly the generated headers, with this build\'s bootstrap hash', async ({ request }) => {
  const expected = generatedHeaders();
  expect([...expected.keys()].sort()).toEqual(['content-security-policy', 'referrer-policy', 'x-content-type-options']);
  // The hash of the inline script of the page nginx serves, computed here.
  const page = await request.get(`${deployURL}/`);
  expect(page.status()).toBe(200);
  const html = await page.text();
  expect(html).toBe(readFileSync('../dist/index.html', 'utf-8'));
  const inline = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => !m[1].includes(' src=') && m[2].trim());
  expect(inline.length).toBe(1);
  const hash = `'sha256-${createHash('sha256').update(inline[0][2]).digest('base64')}'`;
  const csp = expected.get('content-security-policy')!;
  expect(csp).toContain(`script-src 'self' 'wasm-unsafe-eval' ${hash};`);
  expect(csp).toContain(`connect-src 'self' ${simURL};`); // the authority; the API is behind the proxy
  expect(csp).toMatch(new RegExp(`frame-ancestors 'self' ${portalURL}$`));
  expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'/);

  const config = await request.get(`${deployURL}/config.json`);
  expect((await config.json()).apiBase).toBe('/mde-proxy');
  const asset = html.match(/\/[\w-]+_bg\.wasm/)![0];
  const wasm = await request.get(`${deployURL}${asset}`);
  expect(wasm.headers()['content-type']).toBe('application/wasm');
  // The page, its configuration, an asset and a 404 all carry the same bytes.
  for (const [path, status] of [['/', 200], ['/index.html', 200], ['/config.json', 200], [asset, 200], ['/nowhere', 404], ['/security-headers.conf', 404]] as const) {
    const resp = await request.get(`${deployURL}${path}`);
    expect(resp.status(), path).toBe(status);
    for (const [name, value] of expected) {
      expect(resp.headers()[name], `${name} of ${path}`).toBe(value);
    }
  }
  // The page (the redirect URI a sign-in popup comes back to) is never stored, and has no
  // COOP (its answer goes to the panel over a BroadcastChannel); config is revalidated on
  // every load; hashed assets are cached.
  for (const path of ['/', '/index.html']) {
    const resp = await request.get(`${deployURL}${path}`);
    expect(resp.headers()['cache-control'], path).toBe('no-store');
    expect(resp.headers()['cross-origin-opener-policy'], path).toBeUndefined();
  }
  expect(config.headers()['cache-control']).toBe('no-cache');
  expect(wasm.headers()['cache-control']).toMatch(/max-age=31536000/);
});

test('sign in and list through the proxy; the token goes to /mde-proxy only, and on as it came', async ({ page, sim, context }) => {
  // A portal's session cookie on the panel's host: the browser sends it along, the proxy not.
  await context.addCookies([{ name: 'portal_session', value: 'not-for-the-api', url: deployURL }]);
  const violations = cspViolations(page);
  const withToken: string[] = [];
  const unmarked: string[] = [];
  page.on('request', (r) => {
    if (r.headers()['authorization']) withToken.push(r.url());
    if (r.url().includes('/mde-proxy/') && r.headers()['x-mde-library-admin'] !== '1') unmarked.push(r.url());
  });
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  // Every call to the same-origin proxy carries the marker its CSRF check requires.
  expect(unmarked).toEqual([]);
  await expect(page.getByRole('rowheader', { name: 'Collect-Triage.ps1' })).toBeVisible();
  expect(withToken.length).toBeGreaterThan(0);
  for (const url of withToken) {
    expect(url.startsWith(`${deployURL}/mde-proxy/api/libraryfiles`), url).toBeTruthy();
  }
  // What reached the API: the bearer, and none of the portal's cookies or origin.
  const calls = await apiCalls(sim);
  expect(calls.length).toBeGreaterThan(0);
  for (const c of calls) {
    expect(c.bearer, c.path).toBe(true);
    expect(c.origin).toBeNull();
    expect(c.headerNames).not.toContain('cookie');
    expect(c.headerNames).not.toContain('referer');
    expect(c.headerNames).not.toContain('x-mde-library-admin');
  }
  expect(violations).toEqual([]);
});

test('delete through the proxy: 204 removes the file', async ({ page, sim }) => {
  const violations = cspViolations(page);
  await signIn(page);
  await confirmDelete(page, 'Collect-Triage.ps1');
  await expect(page.locator('.outcomes [role=status]')).toContainText('Deleted Collect-Triage.ps1.');
  await expect(page.getByRole('rowheader', { name: 'Collect-Triage.ps1' })).toHaveCount(0);
  await expect(page.getByText('19 files')).toBeVisible();
  const files: { fileName: string }[] = await sim('GET', '/files');
  expect(files.map((f) => f.fileName)).not.toContain('Collect-Triage.ps1');
  const deletes = (await apiCalls(sim)).filter((c) => c.method === 'DELETE');
  expect(deletes.map((c) => c.path)).toEqual(['/api/libraryfiles/Collect-Triage.ps1']);
  expect(violations).toEqual([]);
});

test('delete through the proxy: a file removed behind the panel gives the 404 message', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(404));
  await signIn(page);
  await sim('DELETE', '/files/Isolate-Network.ps1');
  await confirmDelete(page, 'Isolate-Network.ps1');
  await expect(page.locator('.outcomes [role=alert]')).toContainText(
    'Isolate-Network.ps1 was not found in the library; it may have been deleted already.');
  await expect(page.getByRole('rowheader', { name: 'Isolate-Network.ps1' })).toHaveCount(0);
});

test('the proxy passes only the library endpoints, with the path as the browser encoded it', async ({ request, sim }) => {
  const marked = { Authorization: 'Bearer not-a-token', 'X-MDE-Library-Admin': '1' };
  // A %2F in a name stays inside one path segment (nginx's decoded $uri would split it).
  const odd = await request.delete(`${deployURL}/mde-proxy/api/libraryfiles/a%2Fb%20c.ps1`, { headers: marked });
  expect(odd.status()).toBe(401); // the simulator's answer: the token was passed on
  // The API's answers are never stored.
  expect(odd.headers()['cache-control']).toBe('no-store');
  expect(odd.headers()['x-content-type-options']).toBe('nosniff');
  expect((await apiCalls(sim)).map((c) => [c.path, c.bearer])).toEqual([['/api/libraryfiles/a%2Fb%20c.ps1', true]]);
  // Nothing else of the upstream is reachable through it, "." and ".." segments in any spelling.
  for (const path of ['/mde-proxy/_sim/files', '/mde-proxy/api/machines', '/mde-proxy/api/libraryfiles/x/y', '/mde-proxy/healthz',
    '/mde-proxy/api/libraryfiles/..', '/mde-proxy/api/libraryfiles/%2e%2e', '/mde-proxy/api/libraryfiles/%2E.', '/mde-proxy/api/libraryfiles/%2e?x=1']) {
    expect((await request.get(`${deployURL}${path}`, { headers: marked })).status(), path).toBe(404);
  }
  // Uploads are off unless the deployer turns them on (MDE_UPLOADS=1; the second pass).
  expect((await request.post(`${deployURL}/mde-proxy/api/libraryfiles`, { headers: marked })).status()).toBe(403);
  // The CSRF check: no marker, or a request another origin of the site sent, goes nowhere.
  const list = `${deployURL}/mde-proxy/api/libraryfiles`;
  expect((await request.get(list, { headers: { Authorization: 'Bearer not-a-token' } })).status()).toBe(403);
  expect((await request.delete(`${list}/Collect-Triage.ps1`, { headers: { Authorization: 'Bearer not-a-token', 'X-MDE-Library-Admin': '0' } })).status()).toBe(403);
  expect((await request.get(list, { headers: { ...marked, 'Sec-Fetch-Site': 'same-site' } })).status()).toBe(403);
  expect((await request.get(list, { headers: { ...marked, 'Sec-Fetch-Site': 'same-origin' } })).status()).toBe(401);
  expect((await apiCalls(sim)).length).toBe(2);
});

test('a portal at an allowed origin frames the panel; a page at another origin cannot', async ({ page, expectConsoleErrors }) => {
  expectConsoleErrors(/frame-ancestors/);
  const violations = cspViolations(page);
  await page.goto(portalURL);
  const panel = page.frameLocator('iframe');
  await expect(panel.getByRole('heading', { name: 'MDE live response library' })).toBeVisible();
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible(); // the wasm ran
  expect(violations).toEqual([]);
  await page.screenshot({ path: shots('framed-portal') });

  await page.goto(foreignURL);
  await expect.poll(() => violations.join('\n')).toMatch(/frame-ancestors/);
  const frame = page.frames().find((f) => f !== page.mainFrame())!;
  expect(frame.url()).toMatch(/^chrome-error:/);
  await expect(page.frameLocator('iframe').getByRole('heading', { name: 'MDE live response library' })).toHaveCount(0);
});
