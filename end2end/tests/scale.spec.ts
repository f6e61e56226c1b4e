import { test, expect } from '@playwright/test';
import { baseURL } from '../playwright.config';
import { library, N, PAGE } from './library';

// 10,000 entries load through four pages and only a window of rows reaches the DOM.
// Timings are the benchmark's business (bench.spec.ts, `make bench`).

test('10,000 entries load through @odata.nextLink paging into a windowed table', async ({ page, request }) => {
  const pageErrors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  expect((await request.post(`${baseURL}/_sim/reset`, { data: { files: library(N) } })).ok()).toBeTruthy();
  expect((await request.post(`${baseURL}/_sim/page-size`, { data: { pageSize: PAGE } })).ok()).toBeTruthy();
  try {
    await page.goto('/');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: /Ada Admin/ }).click();
    await expect(page.getByText(`${N} files`)).toBeVisible({ timeout: 30_000 });
    await expect(page.getByRole('rowheader', { name: 'Script-00000.ps1' })).toBeVisible();
    const rows = await page.locator('table.library tbody tr:not(.spacer)').count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThan(100);
    const log = await (await request.get(`${baseURL}/_sim/requests`)).json();
    const gets = log.filter((r: { method: string; path: string }) => r.method === 'GET' && r.path === '/api/libraryfiles');
    expect(gets.map((r: { query: string | null }) => r.query)).toEqual([null, '$skip=2500', '$skip=5000', '$skip=7500']);

    // "Select all shown" takes all 10,000, and a filter narrows what it takes.
    const all = page.getByRole('checkbox', { name: 'Select all shown' });
    await all.check();
    await expect(page.getByText(`${N} selected`)).toBeVisible();
    await page.getByRole('button', { name: `Delete selected (${N})` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${N} files?` });
    await expect(dialog.getByLabel(`Type ${N} to confirm`)).toBeVisible();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await all.uncheck();
    // Nothing ticked: the selection's bar goes.
    await expect(page.getByRole('button', { name: /^Delete selected/ })).toBeHidden();
    await page.getByRole('searchbox', { name: 'Filter' }).fill('Script-0000');
    await expect(page.getByText(`Showing 10 of ${N} files`)).toBeVisible();
    await all.check();
    await expect(page.getByText('10 selected')).toBeVisible();
    expect(pageErrors).toEqual([]);
  } finally {
    await request.post(`${baseURL}/_sim/page-size`, { data: { pageSize: null } });
    await request.post(`${baseURL}/_sim/reset`);
  }
});
