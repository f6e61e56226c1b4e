import { defineConfig } from '@playwright/test';

// The deployment run (scripts/nginx-e2e.sh starts nginx and a simulator, then this): the
// panel as nginx serves it with deploy/nginx.conf, the API behind its /mde-proxy path.
export const deployURL = process.env.MDE_DEPLOY_URL ?? 'http://127.0.0.1:8832';

export default defineConfig({
  testDir: './tests',
  testMatch: /deploy\.spec\.ts/,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  outputDir: './test-results/deploy',
  use: {
    baseURL: deployURL,
    trace: 'off',
    screenshot: 'only-on-failure',
    viewport: { width: 1400, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    },
  },
  projects: [{ name: 'deploy' }],
});
