import { test, expect } from '@playwright/test';

test('smoke', async ({ page }) => {
  page.on('console', (m) => console.log('console:', m.type(), m.text()));
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByRole('button', { name: 'Delete Collect-Triage.ps1' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/smoke.png' });
});
