import { test as base, expect } from '@playwright/test';

// Every test fails on a console error or an uncaught page error, unless it declares the ones
// it provokes. The browser logs "Failed to load resource: the server responded with a status
// of 404" for every 4xx/5xx fetch, and a CORS or network failure for refused connections: a
// test that provokes those says so with `expectConsoleErrors(/…/)`.
//
//   import { test, expect } from './fixtures';
//   test('…', async ({ page, expectConsoleErrors }) => {
//     expectConsoleErrors(/status of 403/);
//     …
//   });

type Guard = {
  /** Console errors (type "error") whose text matches `pattern` do not fail the test. */
  expectConsoleErrors: (pattern: RegExp) => void;
  /** Uncaught exceptions whose message matches `pattern` do not fail the test. */
  expectPageErrors: (pattern: RegExp) => void;
  /** What this test's pages logged, for tests that assert on it. */
  consoleErrors: string[];
};

type Seen = { console: string[]; page: string[]; consolePatterns: RegExp[]; pagePatterns: RegExp[] };

export const test = base.extend<Guard & { seen: Seen }>({
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
