import { test, expect } from './fixtures';
import { APIRequestContext, FrameLocator, Page } from '@playwright/test';
import { baseURL, examplesURL } from '../playwright.config';

// The three ways a portal on another origin embeds the panel (examples/portal/, served by the
// simulator's --examples-port): an iframe with the token bridge, an iframe signing in by
// itself through a popup, and panels mounted into the portal's page with embed.js.

async function sim(request: APIRequestContext, method: 'GET' | 'POST' | 'DELETE', path: string, data?: unknown) {
  const resp = await request.fetch(`${baseURL}/_sim${path}`, { method, data });
  expect(resp.ok(), `${method} /_sim${path}`).toBeTruthy();
  return resp.status() === 204 ? null : resp.json();
}

test.beforeEach(async ({ request }) => {
  await sim(request, 'POST', '/reset');
});

const shots = (name: string) => `screenshots/${name}.png`;
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

test('bridge: the portal hands over tokens, receives events and sizes the frame', async ({ page, request, expectConsoleErrors }) => {
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
  await sim(request, 'DELETE', '/portal-token-requests');
  await sim(request, 'POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', status: 401, count: 1 });
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(panel.getByText('19 files')).toBeVisible();
  expect(await sim(request, 'GET', '/portal-token-requests')).toMatchObject({ forceRefresh: 1 });
});

test('bridge: forged answers are ignored, and a portal that never answers gets Retry after 10 s', async ({ page, request }) => {
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
  const log: { bearer: boolean; path: string }[] = await sim(request, 'GET', '/requests');
  expect(JSON.stringify(log)).not.toContain('forged');
});

test('framed pkce: Sign in opens a popup that hands the code back; blocked and closed popups say so', async ({ page, context }) => {
  await page.goto(`${examplesURL}/iframe-signin.html`);
  const panel = panelFrame(page);
  await expect(panel.getByRole('button', { name: 'Sign in' })).toBeVisible();
  const frame = page.frame({ url: `${baseURL}/` })!;

  // A blocked popup.
  await frame.evaluate(() => { (window as any).realOpen = window.open; window.open = () => null; });
  await panel.getByRole('button', { name: 'Sign in' }).click();
  await expect(panel.getByRole('alert')).toContainText('The sign-in window was blocked. Allow pop-ups for this page, then try again.');
  await frame.evaluate(() => { window.open = (window as any).realOpen; });

  // A popup the person closes.
  let popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Try again' }).click();
  let popup = await popupPromise;
  await expect(popup.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  await popup.close();
  await expect(panel.getByRole('alert')).toContainText('Sign-in was canceled.');

  // A popup that signs in.
  popupPromise = context.waitForEvent('page');
  await panel.getByRole('button', { name: 'Sign in' }).click();
  popup = await popupPromise;
  const popupUrls: string[] = [];
  popup.on('framenavigated', (f) => { if (f === popup.mainFrame()) popupUrls.push(f.url()); });
  await popup.getByRole('button', { name: /Ada Admin/ }).click();
  await popup.waitForEvent('close');
  await expect(panel.getByText('Signed in as Ada Admin')).toBeVisible();
  await expect(panel.getByText('20 files')).toBeVisible();
  // The popup came back to the panel's page with the code, and closed itself.
  expect(popupUrls.some((u) => u.startsWith(`${baseURL}/?code=`))).toBeTruthy();
  // The framing page's address never held a code.
  expect(page.url()).toBe(`${examplesURL}/iframe-signin.html`);
  await page.screenshot({ path: shots('embedded-iframe-signin'), fullPage: true });
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

test('mount: two panels side by side with their own tokens; unmount leaves nothing behind', async ({ page, request, expectConsoleErrors }) => {
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
  await sim(request, 'POST', '/faults', { method: 'GET', pathPrefix: '/api/libraryfiles', stallMs: 20_000, count: 2 });
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
