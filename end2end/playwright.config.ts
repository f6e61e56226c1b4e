import { defineConfig } from '@playwright/test';

// The simulator serves the built app (../dist, or MDE_DIST) and the API on one loopback origin.
const port = Number(process.env.E2E_PORT ?? 8799);
export const baseURL = `http://127.0.0.1:${port}`;
// The embedding examples (../examples/portal): a portal on a second origin that frames or
// mounts the panel. Its /example-config.json names the panel origin; the simulator's
// GET /_sim/portal-token-requests counts the tokens its POST /token handed out.
export const examplesURL = `http://127.0.0.1:${port + 1}`;

const launchOptions = {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage',
  ],
};

// `make bench` (MDE_BENCH=1) loads the paged 10,000-entry list over forty times in a minute or
// two; the API's default 100 calls a minute would turn the benchmark into a rate-limit test.
const limits = process.env.MDE_BENCH ? ' --per-minute 100000 --per-hour 1000000' : '';

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL,
    trace: 'off',
    screenshot: 'only-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions,
  },
  projects: [
    { name: 'e2e', testIgnore: /bench\.spec\.ts/ },
    {
      // Skipped unless MDE_BENCH is set; `make bench` runs it alone with --project=bench.
      name: 'bench',
      testMatch: /bench\.spec\.ts/,
      use: {
        launchOptions: {
          ...launchOptions,
          // Unrounded performance.memory, and gc() so heap figures do not depend on when
          // the collector last ran.
          args: [...launchOptions.args, '--enable-precise-memory-info', '--js-flags=--expose-gc'],
        },
      },
    },
  ],
  webServer: {
    // --send-iss: the RFC 9207 check runs on every sign-in (Entra itself does not send iss).
    command:
      `../target/debug/mde-sim --port ${port} --control --send-iss --portal --dist ${process.env.MDE_DIST ?? '../dist'}` +
      ` --examples-port ${port + 1} --examples-dir ../examples/portal${limits}`,
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
  },
});
