import { test, expect, shots } from './fixtures';
import type { Page } from '@playwright/test';
import { baseURL, examplesURL } from '../playwright.config';

// The three ways a portal on another origin embeds the panel (examples/portal/, served by the
// simulator's --examples-port): an iframe with the token bridge, an iframe signing in by
// itself through a popup, and panels mounted into the portal's page with embed.js.

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

const panelFrame = (page: Page) => page.frameLocator('iframe[title="Live response library"]');

/** Messages the panel posts to the portal page, as the portal receives them. */
async function recordPanelMessages(page: Page) {
  await page.evaluate((panelOrigin) => {
    (window as any).panelMessages = [];
    window.addEventListener('message', (e) => {
      if (e.origin === panelOrigin) (window as any).panelMessages.push(e.data);
    });
  }, baseURL);
}

test('bridge: the portal hands over tokens, receives events and sizes the frame', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 401/); // the 401 provoked below
  await page.goto(`${examplesURL}/iframe.html`);
  await recordPanelMessages(page);
  await page.getByRole('button', { name: 'Sign in to the portal as Ada Admin' }).click();
  const panel = panelFrame(page);
  await expect(panel.getByText('20 files')).toBeVisible();
  // Never a sign-in of its own in this mode.
  await expect(panel.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  await panel.getByRole('button', { name: 'Delete mac_collect.sh', exact: true }).click();
  await panel.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(panel.locator('.outcomes [role=status]')).toContainText('Deleted mac_collect.sh.');
  await expect(page.getByRole('list', { name: 'Portal activity log' })).toContainText('delete mac_collect.sh → deleted (HTTP 204)');

  const messages: any[] = await page.evaluate(() => (window as any).panelMessages);
  const events = messages.filter((m) => m.type === 'mde-library-admin:event').map((m) => m.event);
  expect(events).toHaveLength(1);
  expect(Object.keys(events[0]).sort()).toEqual(['action', 'fileName', 'outcome', 'sha256', 'status', 'time', 'trackingId']);
  expect(events[0]).toMatchObject({ action: 'delete', fileName: 'mac_collect.sh', status: 204, outcome: 'deleted', trackingId: null });
  expect(events[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(new Date(events[0].time).toISOString()).toBe(events[0].time);
  // Token requests name an id and forceRefresh, and nothing the panel posts holds a token.
  const requests = messages.filter((m) => m.type === 'mde-library-admin:token-request');
  expect(requests.length).toBeGreaterThan(0);
  for (const r of requests) expect(Object.keys(r).sort()).toEqual(['forceRefresh', 'id', 'type']);
  expect(JSON.stringify(messages)).not.toMatch(/eyJ/);
  // The portal sizes its iframe from the resize messages.
  const heights = messages.filter((m) => m.type === 'mde-library-admin:resize').map((m) => m.height);
  expect(heights.length).toBeGreaterThan(0);
  // The frame follows the panel's latest height.
  await expect.poll(async () => {
    const last: number[] = await page.evaluate(() => (window as any).panelMessages
      .filter((m: any) => m.type === 'mde-library-admin:resize').map((m: any) => m.height));
    const style = await page.locator('iframe[title="Live response library"]').evaluate((f) => (f as HTMLIFrameElement).style.height);
    return style === `${Math.ceil(last[last.length - 1])}px`;
  }).toBe(true);
  await page.screenshot({ path: shots('embedded-iframe-bridge'), fullPage: true });

  // A 401: the panel asks the portal again with forceRefresh, and goes on.
  await sim('DELETE', '/portal-token-requests');
  await sim('POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', status: 401, count: 1 });
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(panel.getByText('19 files')).toBeVisible();
  expect(await sim('GET', '/portal-token-requests')).toMatchObject({ forceRefresh: 1 });
});

test('bridge: forged answers are ignored, and a portal that never answers gets Retry after 10 s', async ({ page, sim }) => {
  test.setTimeout(60_000);
  // The panel reaches no API here; an example portal page that does not answer.
  const otherWindow = `${examplesURL}/other-window.html`;
  const otherOrigin = `${baseURL}/other-origin.html`;
  const forge = `<script>
    addEventListener('message', (e) => {
      const { id, target } = e.data;
      const panel = parent.frames[0];
      panel.postMessage({ type: 'mde-library-admin:token', id, accessToken: 'forged.' + target }, '${baseURL}');
    });
  </script>`;
  await page.route(otherWindow, (route) => route.fulfill({ contentType: 'text/html', body: forge }));
  await page.route(otherOrigin, (route) => route.fulfill({ contentType: 'text/html', body: forge }));
  // A page of the portal's origin, as served (a page Playwright made up would count as a
  // public page, which Chromium does not let frame a loopback one).
  await page.goto(`${examplesURL}/index.html`);
  await page.setContent(`<!doctype html><title>Silent portal</title>
      <iframe title="Live response library" src="${baseURL}/bridge/" style="width:900px;height:500px"></iframe>
      <iframe title="other window" src="${otherWindow}"></iframe>
      <iframe title="other origin" src="${otherOrigin}"></iframe>
      <script>
        window.requests = [];
        addEventListener('message', (e) => {
          if (e.data && e.data.type === 'mde-library-admin:token-request') window.requests.push(e.data);
        });
      </script>`);
  const apiCalls: string[] = [];
  page.on('request', (r) => { if (r.url().includes('/api/libraryfiles')) apiCalls.push(r.url()); });
  await expect.poll(() => page.evaluate(() => (window as any).requests.length)).toBeGreaterThan(0);
  const id: string = await page.evaluate(() => (window as any).requests[0].id);
  // Right origin, another window (a second frame of the portal's origin).
  await page.evaluate((id) => (document.querySelector('iframe[title="other window"]') as HTMLIFrameElement)
    .contentWindow!.postMessage({ id, target: 'other-window' }, '*'), id);
  // Another origin (a frame of the panel's own origin is not the portal).
  await page.evaluate((id) => (document.querySelector('iframe[title="other origin"]') as HTMLIFrameElement)
    .contentWindow!.postMessage({ id, target: 'other-origin' }, '*'), id);
  // The right window and origin, an id nobody asked for.
  await page.evaluate((origin) => (document.querySelector('iframe[title="Live response library"]') as HTMLIFrameElement)
    .contentWindow!.postMessage({ type: 'mde-library-admin:token', id: 'not-asked', accessToken: 'forged.unknown-id' }, origin), baseURL);
  const panel = panelFrame(page);
  await expect(panel.getByText('The portal did not provide a sign-in token.')).toBeVisible({ timeout: 15_000 });
  expect(apiCalls).toEqual([]);
  // Retry asks again; this time the portal answers, from the right window.
  await page.evaluate((origin) => {
    addEventListener('message', async (e) => {
      if (e.data?.type !== 'mde-library-admin:token-request') return;
      const r = await fetch('/token', {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account: 'admin' }),
      }).catch(() => null);
      const accessToken = r ? (await r.json()).accessToken : 'none';
      (e.source as Window).postMessage({ type: 'mde-library-admin:token', id: e.data.id, accessToken }, origin);
    });
  }, baseURL);
  await panel.getByRole('button', { name: 'Retry' }).click();
  await expect(panel.getByText('20 files')).toBeVisible();
  const log: { bearer: boolean; path: string }[] = await sim('GET', '/requests');
  expect(JSON.stringify(log)).not.toContain('forged');
});

// The simulator sends Entra's `Cross-Origin-Opener-Policy: same-origin` on its sign-in pages:
// the popup loses its opener at once (the panel sees it "closed") and comes back without
// `window.opener` or `window.name`. Nothing here may depend on either.
test('framed pkce, same site: the popup hands the code back under COOP; the panel waits for it, never "canceled"', async ({ page, context }) => {
  await page.goto(`${examplesURL}/iframe-signin.html`);
  const panel = panelFrame(page);
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const frame = page.frame({ url: `${baseURL}/` })!;

  // A blocked popup.
  await frame.evaluate(() => { (window as any).realOpen = window.open; window.open = () => null; });
  await panel.getByRole('button', { name: 'Sign in' }).click();
  await expect(panel.getByRole('alert')).toContainText('The sign-in window was blocked. Allow pop-ups for this page, then try again.');
  await frame.evaluate(() => { window.open = (window as any).realOpen; });

  // A popup on the provider's page: the panel says it waits, for as long as the person takes.
  let popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Try again' }).click();
  const first = await popupPromise;
  await expect(first.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  // The provider's COOP moved the popup to another browsing-context group: no opener.
  expect(await first.evaluate(() => window.opener === null)).toBe(true);
  // COOP severed it: the panel sees it closed, yet must not call that a cancel.
  expect(await frame.evaluate(() => document.body.innerText)).not.toContain('canceled');
  const waiting = panel.getByRole('status').filter({ hasText: 'Waiting for the sign-in window' });
  await expect(waiting).toBeVisible();
  await page.waitForTimeout(2_000);
  await expect(waiting).toBeVisible();
  await expect(panel.getByText(/canceled/i)).toHaveCount(0);
  await page.screenshot({ path: shots('embedded-iframe-signin-waiting'), fullPage: true });

  // Cancel: back to Sign in, nothing else said.
  await panel.getByRole('button', { name: 'Cancel' }).click();
  await expect(waiting).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await first.close();

  // The window lost (behind the portal, say): Open the sign-in window again, and sign in there.
  popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const lost = await popupPromise;
  await expect(lost.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Open the sign-in window again' }).click();
  const popup = await popupPromise;
  const popupUrls: string[] = [];
  popup.on('framenavigated', (f) => { if (f === popup.mainFrame()) popupUrls.push(f.url()); });
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await popup.waitForEvent('close');
  await expect(panel.getByText('Signed in as Ada Admin')).toBeVisible();
  await expect(panel.getByText('20 files')).toBeVisible();
  await expect(waiting).toHaveCount(0);
  // The popup came back to the panel's page with the code, and closed itself.
  expect(popupUrls.some((u) => u.startsWith(`${baseURL}/?code=`))).toBeTruthy();
  // The framing page's address never held a code.
  expect(page.url()).toBe(`${examplesURL}/iframe-signin.html`);
  // Nothing of the attempt was kept in the frame's sessionStorage.
  expect(await frame.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('pending')))).toEqual([]);
  await page.screenshot({ path: shots('embedded-iframe-signin'), fullPage: true });
  await lost.close();
});

test('framed pkce: a panel whose discovery failed at load never navigates its frame; Sign in reads it again, then signs in in the popup', async ({ page, context, request, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 503/);
  const config = await (await request.get(`${baseURL}/config.json`)).json();
  const discovery = `${new URL(config.auth.authority).pathname.replace(/\/$/, '')}/.well-known/openid-configuration`;
  // The provider is down at load, and still at the first click.
  await sim('POST', '/faults', { method: 'GET', pathPrefix: discovery, status: 503, count: 2 });
  await page.goto(`${examplesURL}/iframe-signin.html`);
  const panel = panelFrame(page);
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const frame = page.frame({ url: `${baseURL}/` })!;
  const navigations: string[] = [];
  page.on('framenavigated', (f) => { if (f === frame) navigations.push(f.url()); });

  let popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const first = await popupPromise;
  // Discovery failed again: the popup is closed and the panel says why.
  await expect.poll(() => first.isClosed()).toBe(true);
  await expect(panel.getByRole('alert').first()).toContainText('Could not read the sign-in configuration');
  expect(navigations).toEqual([]);

  popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const popup = await popupPromise;
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await popup.waitForEvent('close');
  await expect(panel.getByText('Signed in as Ada Admin')).toBeVisible();
  await expect(panel.getByText('20 files')).toBeVisible();
  // The frame stayed on the panel's page all along: the provider's pages were only ever in the popup.
  expect(navigations).toEqual([]);
});

test('framed pkce, another site: the panel says what works at once; no popup, no raw browser error', async ({ page, context }) => {
  const crossSite = examplesURL.replace('127.0.0.1', 'localhost');
  await page.goto(`${crossSite}/iframe-signin.html`);
  const panel = panelFrame(page);
  const guidance = panel.getByRole('alert');
  await expect(guidance).toContainText('Signing in cannot work in this frame', { timeout: 5_000 });
  await expect(guidance).toContainText('the portal provides the token (auth.mode "bridge")');
  await expect(panel.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  await expect(panel.getByRole('link', { name: 'Open the panel in a tab of its own' })).toHaveAttribute('href', `${baseURL}/`);
  const text = await panel.locator('body').innerText();
  expect(text).not.toMatch(/canceled|the browser refused|Failed to read|Access is denied/);
  let popups = 0;
  context.on('page', () => { popups += 1; });
  await page.waitForTimeout(500);
  expect(popups).toBe(0);
  await page.screenshot({ path: shots('embedded-iframe-signin-cross-site'), fullPage: true });

  // What the guidance points to works on that site: the bridge.
  await page.goto(`${crossSite}/iframe.html`);
  await page.getByRole('button', { name: 'Sign in to the portal as Ada Admin' }).click();
  await expect(panelFrame(page).getByText('20 files')).toBeVisible();
});

test('a browser that refuses sessionStorage: Sign in says so in words, never the browser\'s own error', async ({ page, context }) => {
  // As Chromium does for a blocked site: reading window.sessionStorage throws a SecurityError.
  await context.addInitScript(() => {
    Object.defineProperty(window, 'sessionStorage', {
      get() { throw new DOMException("Failed to read the 'sessionStorage' property from 'Window': Access is denied for this document.", 'SecurityError'); },
    });
  });
  await page.goto(`${baseURL}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('This browser blocks session storage here, which signing in needs. Allow this site to store data, or open the panel in a tab of its own.');
  await expect(page.locator('body')).not.toContainText(/Access is denied|Failed to read|the browser refused/);
  expect(page.url()).toBe(`${baseURL}/`); // it did not go to the provider with a sign-in it could not finish
});

test('the redirect page: a popup answer with no panel to take it says so and starts no panel; stray answers are ignored', async ({ page, context, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/favicon\.ico/); // the forger's page is a plain-text one
  // A popup return that nobody waits for (the panel was closed): a message, not a second panel.
  await page.goto(`${baseURL}/?code=abc&state=popup.nobody-waits`);
  await expect(page.getByRole('heading', { name: 'Returning to the panel…' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'This sign-in window has no panel to return to' })).toBeVisible({ timeout: 6_000 });
  await expect(page.getByRole('button', { name: 'Sign in' })).toHaveCount(0);
  // The code left the address bar at once.
  expect(page.url()).toBe(`${baseURL}/`);

  // A panel waiting for its popup ignores answers on its channel that are not its own: another
  // state, another message type, and after its own answer, a second one.
  await page.goto(`${examplesURL}/iframe-signin.html`);
  const panel = panelFrame(page);
  const popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  const popup = await popupPromise;
  await expect(popup.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  const state = new URL(popup.url()).searchParams.get('state')!;
  expect(state).toMatch(/^popup\./);
  // Forged answers, from a page of the panel's origin (the only one that can reach the channel).
  const forger = await context.newPage();
  await forger.goto(`${baseURL}/healthz`);
  await forger.evaluate(({ state, base }) => {
    const ch = new BroadcastChannel(`mde-library-admin:sign-in:${state}`);
    ch.postMessage({ type: 'mde-library-admin:sign-in-response', url: `${base}/?code=forged&state=popup.other` });
    ch.postMessage({ type: 'mde-library-admin:token', url: `${base}/?code=forged&state=${state}` });
    ch.postMessage({ type: 'mde-library-admin:sign-in-response', url: `${base}/?code=forged` });
    ch.postMessage('mde-library-admin:sign-in-response');
  }, { state, base: baseURL });
  await page.waitForTimeout(500);
  await expect(panel.getByRole('status').filter({ hasText: 'Waiting for the sign-in window' })).toBeVisible();
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await popup.waitForEvent('close');
  await expect(panel.getByText('Signed in as Ada Admin')).toBeVisible();
  // A second answer for the spent state changes nothing.
  await forger.evaluate(({ state, base }) => {
    const ch = new BroadcastChannel(`mde-library-admin:sign-in:${state}`);
    ch.postMessage({ type: 'mde-library-admin:sign-in-response', url: `${base}/?code=forged&state=${state}` });
  }, { state, base: baseURL });
  await page.waitForTimeout(500);
  await expect(panel.getByText('Signed in as Ada Admin')).toBeVisible();
  await expect(panel.getByText(/refused|did not match|canceled|expired/i)).toHaveCount(0);
  // Only the popup's own code was ever redeemed.
  const log: { method: string; path: string }[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'POST' && r.path.endsWith('/oauth2/v2.0/token'))).toHaveLength(1);
});

/** Counts what a page has going: listeners on window and document, timers, observers and
 * fetches in flight. Installed before the page's own scripts. */
function instrument() {
  const live = { listeners: 0, timers: new Set<number>(), observers: 0, fetches: 0 };
  (window as any).live = live;
  const watched = new Set<EventTarget>([window, document]);
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  const seen = new Set<string>();
  const key = (t: EventTarget, type: string, f: unknown) => `${t === window ? 'w' : 'd'}:${type}:${(f as any)?.__id ?? ((f as any).__id = Math.random())}`;
  EventTarget.prototype.addEventListener = function (type: string, f: any, o?: any) {
    if (watched.has(this) && f) {
      const k = key(this, type, f);
      if (!seen.has(k)) { seen.add(k); live.listeners++; }
    }
    return add.call(this, type, f, o);
  };
  EventTarget.prototype.removeEventListener = function (type: string, f: any, o?: any) {
    if (watched.has(this) && f) {
      const k = key(this, type, f);
      if (seen.delete(k)) live.listeners--;
    }
    return remove.call(this, type, f, o);
  };
  const st = window.setTimeout, ct = window.clearTimeout, si = window.setInterval, ci = window.clearInterval;
  (window as any).setTimeout = (f: any, ms?: number, ...a: any[]) => {
    const id = st(() => { live.timers.delete(id); typeof f === 'function' ? f(...a) : undefined; }, ms);
    live.timers.add(id);
    return id;
  };
  (window as any).clearTimeout = (id: number) => { live.timers.delete(id); ct(id); };
  (window as any).setInterval = (f: any, ms?: number, ...a: any[]) => { const id = si(f, ms, ...a); live.timers.add(id); return id; };
  (window as any).clearInterval = (id: number) => { live.timers.delete(id); ci(id); };
  const RO = window.ResizeObserver;
  (window as any).ResizeObserver = class extends RO {
    private on = false;
    observe(t: Element, o?: ResizeObserverOptions) { if (!this.on) { this.on = true; live.observers++; } super.observe(t, o); }
    disconnect() { if (this.on) { this.on = false; live.observers--; } super.disconnect(); }
  };
  const realFetch = window.fetch;
  window.fetch = (...args: Parameters<typeof fetch>) => {
    live.fetches++;
    return realFetch(...args).finally(() => { live.fetches--; });
  };
}

const snapshot = (page: Page) => page.evaluate(() => {
  const live = (window as any).live;
  return { listeners: live.listeners, timers: live.timers.size, observers: live.observers, fetches: live.fetches };
});

test('mount: two panels side by side with their own tokens; unmount leaves nothing behind', async ({ page, sim, expectConsoleErrors }) => {
  await page.addInitScript(instrument);
  await page.goto(`${examplesURL}/mount.html`);
  const admin = page.locator('#admin-panel');
  const reader = page.locator('#reader-panel');
  await expect(admin.getByText('20 files')).toBeVisible();
  await expect(reader.getByText('20 files')).toBeVisible();
  // No globals from the panel: embed.js is a module, mount() returns the handle.
  expect(await page.evaluate(() => ['wasmBindings', 'mdeLibraryAdminHost', 'MdeLibraryAdmin'].filter((k) => k in window))).toEqual([]);
  // Independent: the reader's filter is its own, and the reader's delete is refused.
  await admin.getByRole('searchbox').fill('mac');
  await expect(admin.getByText(/1 of 20 files|1 file/)).toBeVisible();
  await expect(reader.getByText('20 files')).toBeVisible();
  expectConsoleErrors(/status of 403/);
  await reader.getByRole('button', { name: 'Delete mac_collect.sh', exact: true }).click();
  await reader.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(reader.locator('.outcomes [role=alert]')).toContainText('You lack Library.Manage');
  await admin.getByRole('button', { name: 'Delete mac_collect.sh', exact: true }).click();
  await admin.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(admin.locator('.outcomes [role=status]')).toContainText('Deleted mac_collect.sh.');
  const log = page.getByRole('list', { name: 'Portal activity log' });
  await expect(log).toContainText('Reader: delete mac_collect.sh → failed (HTTP 403)');
  await expect(log).toContainText('Admin: delete mac_collect.sh → deleted (HTTP 204)');
  await page.screenshot({ path: shots('embedded-mount-two-panels'), fullPage: true });

  // unmount() removes each panel with everything it started.
  await page.getByRole('button', { name: 'Unmount both' }).click();
  await expect(page.locator('.mde-library-admin')).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => (window as any).examplePanels.length)).toBe(0);
  const before = await snapshot(page);
  expect(before.observers).toBe(0);
  // Mount again with the list request held by the API, and unmount while it is in flight.
  await sim('POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', stallMs: 20_000, count: 2 });
  await page.getByRole('button', { name: 'Mount again' }).click();
  await expect(page.locator('.mde-library-admin')).toHaveCount(2);
  await expect(admin.getByText('Loading the library…')).toBeVisible();
  await expect.poll(async () => (await snapshot(page)).fetches).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Unmount both' }).click();
  await expect(page.locator('.mde-library-admin')).toHaveCount(0);
  await expect(page.locator('link[href*="main-"]')).toHaveCount(0);
  await expect.poll(() => snapshot(page)).toEqual(before);
  expect(await admin.innerHTML()).toBe('');
  expect(await reader.innerHTML()).toBe('');
});

test('mount: embed.js checks the glue, the loader and the wasm against the build; altered, no panel starts on them', async ({ page, expectConsoleErrors }) => {
  expectConsoleErrors(/integrity|Failed to fetch|TypeError|SRI|digest/);
  let ran = false;
  await page.exposeFunction('__alteredGlueRan', () => { ran = true; });
  const glue = /\/mde-library-admin-[0-9a-f]{16}\.js$/;
  await page.route(glue, async (route) => {
    const real = await route.fetch();
    await route.fulfill({ response: real, body: `window.__alteredGlueRan();\n${await real.text()}` });
  });
  await page.goto(`${examplesURL}/mount.html`);
  await expect(page.locator('#portal-error')).toContainText(/A panel could not be mounted: embed\.js: mde-library-admin-[0-9a-f]{16}\.js did not load, or does not match this build/);
  await expect(page.locator('.mde-library-admin')).toHaveCount(0);
  expect(ran).toBe(false);
  await page.unroute(glue);

  // The wasm: still valid wasm with one more custom section; only its digest tells.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  const wasm = /_bg\.wasm$/;
  await page.route(wasm, async (route) => {
    const real = await route.fetch();
    await route.fulfill({ response: real, body: Buffer.concat([await real.body(), Buffer.from([0x00, 0x02, 0x01, 0x78])]) });
  });
  await page.goto(`${examplesURL}/mount.html`);
  await expect(page.locator('#portal-error')).toContainText(/_bg\.wasm did not load, or does not match this build/);
  await expect(page.locator('.mde-library-admin')).toHaveCount(0);
  await page.unroute(wasm);
  await cdp.send('Network.clearBrowserCache');
  await page.goto(`${examplesURL}/mount.html`);
  await expect(page.locator('#admin-panel').getByText('20 files')).toBeVisible();
});

test('bridge: the example portal pins host-bridge.js; an altered copy is refused and never runs', async ({ page, expectConsoleErrors }) => {
  expectConsoleErrors(/integrity|digest|SRI/);
  let ran = false;
  await page.exposeFunction('__alteredBridgeRan', () => { ran = true; });
  await page.route(/\/host-bridge\.js$/, async (route) => {
    const real = await route.fetch();
    await route.fulfill({ response: real, body: `window.__alteredBridgeRan();\n${await real.text()}` });
  });
  await page.goto(`${examplesURL}/iframe.html`);
  await expect(page.locator('#portal-error')).toContainText('host-bridge.js could not be loaded, or does not match the digest this portal pins');
  expect(ran).toBe(false);
});

test('mount: bad options are refused with a message naming the option', async ({ page }) => {
  await page.goto(`${examplesURL}/mount.html`);
  await expect(page.locator('#admin-panel').getByText('20 files')).toBeVisible();
  const errors = await page.evaluate(async (panelOrigin) => {
    const { mount } = await import(`${panelOrigin}/embed.js`);
    const el = document.createElement('div');
    const tries = [
      { apiBase: 'https://api.security.microsoft.com', auth: { mode: 'host' } },
      { apiBase: 'http://evil.example', auth: { mode: 'host' }, getToken: () => 't' },
      { apiBase: 'https://api.security.microsoft.com', auth: { mode: 'bridge', hostOrigin: 'https://portal.example' } },
    ];
    const out: string[] = [];
    for (const t of tries) {
      try { await mount(el, t); out.push('mounted'); } catch (e) { out.push(String((e as Error).message)); }
    }
    return out;
  }, baseURL);
  expect(errors[0]).toContain('getToken');
  expect(errors[1]).toContain('apiBase');
  expect(errors[2]).toContain('"host" or "proxy"');
});
