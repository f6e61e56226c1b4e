import { test as base, expect } from '@playwright/test';
import type { Page } from '@playwright/test';

// Every test fails on a console error or an uncaught page error, unless it declares the ones
// it provokes. The browser logs "Failed to load resource: the server responded with a status
// of 404" for every 4xx/5xx fetch, and a CORS or network failure for refused connections: a
// test that provokes those says so with `expectConsoleErrors(/…/)`.
//
//   import { test, expect, signIn } from './fixtures';
//   test('…', async ({ page, sim, expectConsoleErrors }) => {
//     expectConsoleErrors(/status of 403/);
//     await sim('POST', '/faults', { method: 'DELETE', pathPrefix: '/api/libraryfiles/', status: 403 });
//     await signIn(page);
//     …
//   });
//
// The specs share their setup from here too: `sim` (the simulator's control surface),
// `signIn`, `shots`.

type Guard = {
  /** Console errors (type "error") whose text matches `pattern` do not fail the test. */
  expectConsoleErrors: (pattern: RegExp) => void;
  /** Uncaught exceptions whose message matches `pattern` do not fail the test. */
  expectPageErrors: (pattern: RegExp) => void;
  /** What this test's pages logged, for tests that assert on it. */
  consoleErrors: string[];
};

type Seen = { console: string[]; page: string[]; consolePatterns: RegExp[]; pagePatterns: RegExp[] };

/** A call to the simulator's /_sim control surface: the JSON it answers, or null for a 204. */
export type Sim = (method: 'GET' | 'POST' | 'DELETE', path: string, data?: unknown) => Promise<any>;

type SimOptions = {
  /** The simulator's origin, when it is not the config's baseURL (the deploy run's nginx). */
  simURL: string | undefined;
  /**
   * What `sim` accepts: 'any 2xx', or 'contract', the control surface's own promise (200 and
   * JSON for reads, 204 for changes) for specs that hold it to that.
   */
  simAnswers: 'any 2xx' | 'contract';
};

export const test = base.extend<Guard & SimOptions & { seen: Seen; sim: Sim }>({
  simURL: [undefined, { option: true }],
  simAnswers: ['any 2xx', { option: true }],
  sim: async ({ request, baseURL, simURL, simAnswers }, use) => {
    const origin = simURL ?? baseURL ?? '';
    await use(async (method, path, data) => {
      const resp = await request.fetch(`${origin}/_sim${path}`, { method, data });
      const what = `${method} /_sim${path}: ${await resp.text()}`;
      if (simAnswers === 'contract') expect(resp.status(), what).toBe(method === 'GET' ? 200 : 204);
      else expect(resp.ok(), what).toBeTruthy();
      return resp.status() === 204 ? null : resp.json();
    });
  },
  seen: async ({}, use) => {
    await use({ console: [], page: [], consolePatterns: [], pagePatterns: [] });
  },
  // Listening on the context covers every page and popup the test opens.
  context: async ({ context, seen }, use, testInfo) => {
    context.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location().url ? ` (${m.location().url})` : '';
      seen.console.push(`${m.text()}${where}`);
    });
    context.on('weberror', (e) => seen.page.push(e.error().message));
    await use(context);
    const unexpected = [
      ...seen.console
        .filter((t) => !seen.consolePatterns.some((p) => p.test(t)))
        .map((t) => `console error: ${t}`),
      ...seen.page
        .filter((t) => !seen.pagePatterns.some((p) => p.test(t)))
        .map((t) => `page error: ${t}`),
    ];
    if (unexpected.length > 0 && testInfo.expectedStatus === 'passed') {
      throw new Error(
        `${unexpected.length} unexpected browser error(s); declare the expected ones with ` +
          `expectConsoleErrors(/…/) or expectPageErrors(/…/):\n  ${unexpected.join('\n  ')}`,
      );
    }
  },
  expectConsoleErrors: async ({ seen }, use) => {
    await use((pattern) => { seen.consolePatterns.push(pattern); });
  },
  expectPageErrors: async ({ seen }, use) => {
    await use((pattern) => { seen.pagePatterns.push(pattern); });
  },
  consoleErrors: async ({ seen }, use) => {
    await use(seen.console);
  },
});

export { expect };

/** The message Chromium logs for a fetch answered with an HTTP error status. */
export const httpStatusError = (...statuses: number[]) =>
  new RegExp(`^Failed to load resource: the server responded with a status of (${statuses.join('|')}) `);

export type Account = 'Ada Admin' | 'Riley Reader';

/**
 * Signs in through the simulator's account picker and waits for the library. `at` is where
 * the panel is opened (another origin than baseURL in the fault matrix); `provider` is the
 * origin the picker must be served from, for runs where that is the point.
 */
export async function signIn(page: Page, { account = 'Ada Admin', at = '/', provider }: { account?: Account; at?: string; provider?: string } = {}) {
  await page.goto(at);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Pick an account' })).toBeVisible();
  if (provider !== undefined) expect(new URL(page.url()).origin).toBe(provider);
  await page.getByRole('button', { name: new RegExp(account) }).click();
  await expect(page.getByText(`Signed in as ${account}`)).toBeVisible();
  await expect(page.getByRole('table', { name: 'Live response library' })).toBeVisible();
}

/** Where a spec's screenshots go (end2end/screenshots, kept in the repository). */
export const shots = (name: string) => `screenshots/${name}.png`;
