import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { test, expect } from './fixtures';
import { baseURL } from '../playwright.config';

// A bulk delete of 60 files paced to the limit: a simulator of its own whose limit is scaled
// down to 20 calls per 10 s (the app reads the same limit from its config.json). The run must
// get no 429 and remove every file exactly once; its time is printed as a ratio to the
// theoretical minimum, never asserted.

const port = new URL(baseURL).port ? Number(new URL(baseURL).port) + 7 : 8806;
const url = `http://127.0.0.1:${port}`;
let sim: ChildProcess;

test.beforeAll(async () => {
  sim = spawn('../target/debug/mde-sim', [
    '--port', String(port), '--control', '--dist', '../dist',
    '--per-minute', '20', '--window-seconds', '10', '--per-hour', '1000',
  ], { stdio: 'ignore' });
  await expect.poll(async () => (await fetch(`${url}/healthz`).catch(() => null))?.status, { timeout: 20_000 }).toBe(200);
  // 40 more files: 60 in all.
  const extra = Array.from({ length: 40 }, (_, i) => ({
    fileName: `paced-${String(i).padStart(2, '0')}.ps1`, sha256: 'ab'.repeat(32), description: 'paced',
    creationTime: '2026-01-01T00:00:00.0000000Z', lastUpdatedTime: '2026-01-01T00:00:00.0000000Z',
    createdBy: 'test', hasParameters: false,
  }));
  const r = await fetch(`${url}/_sim/files`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(extra) });
  expect(r.status).toBe(204);
});

test.afterAll(() => { sim?.kill(); });

test('60 files at 20 per 10 s: no 429, each removed once, at the pace of the limit', async ({ page }) => {
  test.setTimeout(120_000);
  const statuses: number[] = [];
  page.on('response', (r) => { if (r.url().includes('/api/libraryfiles')) statuses.push(r.status()); });
  await page.goto(url);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByText('60 files')).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select all shown' }).check();
  await page.getByRole('button', { name: 'Delete selected (60)' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete 60 files?' });
  await dialog.getByLabel('Type 60 to confirm').fill('60');
  const started = Date.now();
  await dialog.getByRole('button', { name: 'Delete 60 files' }).click();
  const status = page.getByRole('region', { name: 'Bulk delete' }).getByRole('status');
  await expect(status).toContainText(/Deleting \d+ of 60, about \d+ s left/);
  await expect(status).toHaveText('Deleted 60 of 60 files.', { timeout: 90_000 });
  const seconds = (Date.now() - started) / 1000;
  expect(statuses.filter((s) => s === 429)).toEqual([]);
  const log: { method: string; path: string }[] = await (await fetch(`${url}/_sim/requests`)).json();
  const deletes = log.filter((r) => r.method === 'DELETE').map((r) => r.path);
  expect(deletes).toHaveLength(60);
  expect(new Set(deletes).size).toBe(60);
  // The list took one call of the first window: 61 calls at 20 per 10 s need three more
  // windows after the first one opened, 30 s at the least.
  const minimum = 30;
  const throughput = 60 / seconds / (20 / 10);
  // For `make bench` (scripts/bench-report.mjs); outside test-results, which each run clears.
  mkdirSync('../target/bench', { recursive: true });
  writeFileSync('../target/bench/bulk.json', JSON.stringify({
    files: 60, limit: 20, windowSeconds: 10, seconds, minimumSeconds: minimum, throughput,
    tooMany: statuses.filter((s) => s === 429).length,
  }));
  console.log(`bulk delete, 60 files at 20 per 10 s: ${seconds.toFixed(1)} s, ${(seconds / minimum).toFixed(2)}x the theoretical minimum (${minimum} s); throughput ${(throughput * 100).toFixed(0)} % of the limit over the run`);
});
