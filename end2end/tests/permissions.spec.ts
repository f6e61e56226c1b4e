import { test, expect, httpStatusError, shots, signIn } from './fixtures';
import { examplesURL } from '../playwright.config';

// Permissions before the click: a token whose `scp` lacks Library.Manage makes the panel
// view-only from the start, with the reason and what an admin grants. The simulator's
// `POST /_sim/without-library-scope` issues such tokens (an app registration without the
// permission, or without admin consent); its API then refuses even the list (403), as the real
// API does: all three library calls need Library.Manage.

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('a token without Library.Manage starts view-only, with the reason, and offers no change', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await sim('POST', '/without-library-scope', { on: true });
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: /Ada Admin/ }).click();
  await expect(page.getByText('Signed in as Ada Admin')).toBeVisible();
  const note = page.getByRole('status').filter({ hasText: 'View only' });
  await expect(note).toContainText('Library.Manage');
  await expect(note).toContainText('WindowsDefenderATP');
  await expect(note).toContainText('admin consent');
  // The API agrees: the list itself is refused.
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the library' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Upload' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /^Delete / })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  // What does not change anything is still offered.
  await expect(page.getByRole('button', { name: 'Refresh' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Drift check' })).toBeVisible();
});

test('a token with Library.Manage offers every change control and no view-only note', async ({ page }) => {
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Upload' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete Collect-Triage.ps1' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'Select all shown' })).toBeVisible();
  await expect(page.getByText(/^View only/)).toHaveCount(0);
});

test('a reader\'s first 403 on a change makes the panel view-only, with Check again; no second delete is offered', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await signIn(page, { account: 'Riley Reader' });
  await expect(page.getByText('20 files')).toBeVisible();
  await page.getByRole('button', { name: 'Delete Collect-Triage.ps1' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  const note = page.getByRole('status').filter({ hasText: 'View only' });
  await expect(note).toContainText('the API refused a change (403)');
  await expect(page.getByRole('button', { name: /^Delete / })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Upload' })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await page.screenshot({ path: shots('view-only-403') });
  // The file is still there, and only one DELETE was sent.
  const log: { method: string; path: string }[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'DELETE')).toHaveLength(1);
  // Once the role is granted, Check again offers the changes again (here it is not, so the
  // next change would say so again).
  await note.getByRole('button', { name: 'Check again' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'View only' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Delete Collect-Triage.ps1' })).toBeVisible();
});

// A portal's token is read too (issue 18, item 2): in `bridge` and `host` modes the panel reads
// each token the portal hands over, in the sign-in chunk, and a token without the scope makes
// the panel view-only after the first call.
test('a portal\'s token without Library.Manage makes a framed (bridge) panel view-only', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await sim('POST', '/without-library-scope', { on: true });
  await page.goto(`${examplesURL}/iframe.html`);
  await page.getByRole('button', { name: 'Sign in to the portal as Ada Admin' }).click();
  const panel = page.frameLocator('iframe[title="Live response library"]');
  const note = panel.getByRole('status').filter({ hasText: 'View only' });
  await expect(note).toContainText('Library.Manage');
  await expect(panel.getByRole('button', { name: 'Upload' })).toHaveCount(0);
  await expect(panel.getByRole('checkbox')).toHaveCount(0);
});

test('a mount() panel whose getToken gives tokens without Library.Manage is view-only; with it, nothing is hidden', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(403));
  await page.goto(`${examplesURL}/mount.html`);
  const admin = page.locator('#admin-panel');
  await expect(admin.getByText('20 files')).toBeVisible();
  await expect(admin.getByRole('button', { name: 'Upload' })).toBeVisible();
  await expect(admin.getByText(/^View only/)).toHaveCount(0);
  await sim('POST', '/without-library-scope', { on: true });
  await page.reload();
  await expect(admin.getByRole('status').filter({ hasText: 'View only' })).toContainText('Library.Manage');
  await expect(admin.getByRole('button', { name: 'Upload' })).toHaveCount(0);
  await expect(admin.getByRole('button', { name: /^Delete / })).toHaveCount(0);
});
