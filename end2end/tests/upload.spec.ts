import type { Page } from '@playwright/test';
import { test, expect, httpStatusError, shots, signIn } from './fixtures';

// Upload: pick files, fill the form, every file checked before anything is sent; the
// request is the documented multipart form, through the rate gate; the entity joins the list.

type Logged = { method: string; path: string };
type Entity = { fileName: string; sha256: string; creationTime: string; lastUpdatedTime: string; description: string | null; hasParameters: boolean; parametersDescription: string | null };

const file = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text) });

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('a new file is uploaded with its fields and joins the list', async ({ page, sim }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles(file('Collect-Memory.ps1', 'Get-Process\n'));
  await dialog.getByLabel('Description', { exact: true }).fill('Collects memory facts');
  await dialog.getByLabel('Has parameters').check();
  await dialog.getByLabel('Parameters description').fill('-Full');
  await page.screenshot({ path: shots('upload-dialog') });
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploaded Collect-Memory.ps1.');
  await expect(page.getByRole('rowheader', { name: 'Collect-Memory.ps1' })).toBeVisible();
  await expect(page.getByText('21 files')).toBeVisible();
  const files: Entity[] = await sim('GET', '/files');
  const up = files.find((f) => f.fileName === 'Collect-Memory.ps1')!;
  expect(up).toMatchObject({ description: 'Collects memory facts', hasParameters: true, parametersDescription: '-Full' });
  expect(up.sha256).toBe(require('crypto').createHash('sha256').update('Get-Process\n').digest('hex'));
});

test('a bad name, an oversize file, an empty one and a taken name are refused before any request', async ({ page, sim }) => {
  await signIn(page);
  await sim('DELETE', '/requests');
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles([
    file('my script.ps1', 'x'),
    { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(20 * 1024 * 1024 + 1) },
    file('empty.sh', ''),
    file('mac_collect.sh', 'echo'),
  ]);
  const items = dialog.getByRole('listitem');
  await expect(items.filter({ hasText: 'my script.ps1' })).toContainText('Rename it, for example to my_script.ps1.');
  await expect(items.filter({ hasText: 'big.bin' })).toContainText("over the API's 20 MB limit");
  await expect(items.filter({ hasText: 'empty.sh' })).toContainText('It is empty.');
  await expect(items.filter({ hasText: 'mac_collect.sh' })).toContainText('Overwrite if it exists');
  await expect(dialog.getByRole('button', { name: 'Upload' })).toBeDisabled();
  await page.screenshot({ path: shots('upload-refused') });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  const log: Logged[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'POST' && r.path.includes('libraryfiles'))).toEqual([]);
});

test('overwriting keeps creationTime; the API refusing an upload shows its message', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(400));
  await signIn(page);
  const before: Entity = (await sim('GET', '/files') as Entity[]).find((f) => f.fileName === 'mac_collect.sh')!;
  await page.getByRole('button', { name: 'Upload' }).click();
  let dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles(file('mac_collect.sh', 'echo v2\n'));
  await dialog.getByLabel('Overwrite if it exists').check();
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploaded mac_collect.sh.');
  const after: Entity = (await sim('GET', '/files') as Entity[]).find((f) => f.fileName === 'mac_collect.sh')!;
  expect(after.creationTime).toBe(before.creationTime);
  expect(after.sha256).not.toBe(before.sha256);
  expect(after.lastUpdatedTime).not.toBe(before.lastUpdatedTime);

  await sim('POST', '/faults', {
    method: 'POST', pathPrefix: '/api/libraryfiles', status: 400,
    body: { error: { code: 'InvalidInput', message: 'Description is too long', target: 'c0ffee00-0000-4000-8000-000000000001' } },
  });
  await page.getByRole('button', { name: 'Upload' }).click();
  dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles(file('other.ps1', 'x'));
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('.outcomes [role=alert]')).toContainText('Could not upload other.ps1');
  await expect(page.locator('.outcomes [role=alert]')).toContainText('Description is too long');
  await page.getByRole('button', { name: /Activity/ }).click();
  await expect(page.getByRole('region', { name: 'Activity' }).getByRole('listitem').first()).toContainText('could not upload other.ps1 (HTTP 400)');
});

test('an empty 200 (some tenants send one) reloads the list; several files go one after the other', async ({ page, sim }) => {
  await signIn(page);
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/api/libraryfiles', status: 200, body: '', count: 1 });
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles([file('one.ps1', '1'), file('two.ps1', '2')]);
  await dialog.getByRole('button', { name: 'Upload' }).click();
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploaded one.ps1.');
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploaded two.ps1.');
  // The faked empty 200 stored nothing for one.ps1; the reload shows the library as it is.
  await expect(page.getByRole('rowheader', { name: 'two.ps1' })).toBeVisible();
  const log: Logged[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.method === 'POST' && r.path === '/api/libraryfiles')).toHaveLength(2);
  expect(log.filter((r) => r.method === 'GET' && r.path === '/api/libraryfiles').length).toBeGreaterThanOrEqual(2);
});

const uploadRun = (page: Page) => page.getByRole('region', { name: 'Upload' });

test('several uploads are one run: progress bar, Pause holds it, Cancel ends it; nothing is sent twice', async ({ page, sim }) => {
  await signIn(page);
  await sim('DELETE', '/requests');
  // Each upload held 1.5 s by the API, so the run is still on its first file when Pause is
  // pressed, and on its second when Cancel is.
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/api/libraryfiles', delayMs: 1500, count: 3 });
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  await dialog.getByLabel('Files (or drop them here)').setInputFiles([file('a1.ps1', '1'), file('a2.ps1', '2'), file('a3.ps1', '3')]);
  await dialog.getByRole('button', { name: 'Upload' }).click();
  const region = uploadRun(page);
  const bar = region.getByRole('progressbar', { name: 'Upload progress' });
  await expect(bar).toHaveAttribute('aria-valuemax', '3');
  await expect(region.getByRole('status')).toHaveText(/^Uploading 1 of 3(, about \d+ s left)?$/);
  await region.getByRole('button', { name: 'Pause' }).click();
  await expect(region.getByRole('status')).toHaveText('Paused after 1 of 3 files.');
  await expect(bar).toHaveAttribute('aria-valuenow', '1');
  await page.screenshot({ path: shots('upload-run-paused') });
  // Paused: nothing more goes out, and the Upload dialog waits for the run.
  await page.waitForTimeout(1200);
  let log: Logged[] = await sim('GET', '/requests');
  const posts = () => log.filter((r) => r.method === 'POST' && r.path === '/api/libraryfiles');
  expect(posts()).toHaveLength(1);
  await page.getByRole('button', { name: 'Upload' }).first().click();
  await expect(dialog.getByText('A run is going on')).toBeVisible();
  await dialog.getByLabel('Files (or drop them here)').setInputFiles(file('later.ps1', 'x'));
  await expect(dialog.getByRole('button', { name: 'Upload' })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await region.getByRole('button', { name: 'Resume' }).click();
  await expect(region.getByRole('status')).toContainText(/^Uploading 2 of 3/);
  // Canceled while a2.ps1 is on its way: it completes, a3.ps1 is never sent.
  await expect(page.locator('.outcomes [role=status]')).toContainText('Uploading a2.ps1');
  await region.getByRole('button', { name: 'Cancel' }).click();
  // Said at once, while a2.ps1 is still on its way; nothing more to press until it ends.
  await expect(region.getByRole('status')).toHaveText('Canceling after the file on its way; 1 of 3 files done.');
  await expect(region.getByRole('button')).toHaveCount(0);
  await expect(region.getByRole('status')).toHaveText('Canceled. Uploaded 2 of 3 files; 1 not tried.');
  log = await sim('GET', '/requests');
  expect(posts()).toHaveLength(2);
  await expect(page.getByRole('rowheader', { name: 'a2.ps1' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'a3.ps1' })).toHaveCount(0);
  const files: Entity[] = await sim('GET', '/files');
  expect(files.map((f) => f.fileName).filter((n) => n.startsWith('a'))).toEqual(expect.arrayContaining(['a1.ps1', 'a2.ps1']));
  expect(files.some((f) => f.fileName === 'a3.ps1')).toBe(false);
  await region.getByRole('button', { name: 'Dismiss' }).click();
  await expect(region).toBeHidden();
});

test('a large upload shows its progress while the bytes go out', async ({ page, sim }) => {
  await signIn(page);
  // The API holds the request 3 s before reading it: the browser's socket buffers fill and
  // the rest of the 15 MB waits, so the upload reports progress short of 100 %.
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/api/libraryfiles', delayMs: 3000 });
  await page.getByRole('button', { name: 'Upload' }).click();
  const dialog = page.getByRole('dialog', { name: 'Upload to the library' });
  const big = Buffer.alloc(15 * 1024 * 1024, 'a');
  await dialog.getByLabel('Files (or drop them here)').setInputFiles({ name: 'Big-Collector.ps1', mimeType: 'text/plain', buffer: big });
  await dialog.getByRole('button', { name: 'Upload' }).click();
  const line = page.locator('.outcomes [role=status]');
  await expect(line).toContainText(/Uploading Big-Collector\.ps1: \d+%/);
  const shown = Number((await line.textContent())!.match(/Big-Collector\.ps1: (\d+)%/)![1]);
  expect(shown).toBeLessThan(100);
  await page.screenshot({ path: shots('upload-progress') });
  await expect(line).toContainText('Uploaded Big-Collector.ps1.', { timeout: 20_000 });
  const files: Entity[] = await sim('GET', '/files');
  expect(files.find((f) => f.fileName === 'Big-Collector.ps1')!.sha256).toBe(require('crypto').createHash('sha256').update(big).digest('hex'));
});
