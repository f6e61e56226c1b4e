import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, shots, signIn, type Sim } from './fixtures';

// Planning from a folder (issue 17, 1-2 and 4): the folder and its library.json against the
// library as loaded, before anything is sent.

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const entity = (fileName: string, content: string, description: string | null) => ({
  fileName, sha256: sha(content), description, creationTime: '2026-01-01T00:00:00.0000000Z',
  lastUpdatedTime: '2026-01-01T00:00:00.0000000Z', createdBy: 'secops', hasParameters: false,
});

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('a folder planned against the library: each kind with why, a filter, subfolders and bad names left out, the report; nothing sent', async ({ page, sim }) => {
  // In the library already: one file as in the folder, one whose description the manifest changes.
  await sim('POST', '/files', entity('Same.ps1', 'same\n', 'kept'));
  await sim('POST', '/files', entity('Meta.ps1', 'meta\n', 'old words'));
  const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
  writeFileSync(path.join(dir, 'New-Script.ps1'), 'new\n');
  writeFileSync(path.join(dir, 'Same.ps1'), 'same\n');
  writeFileSync(path.join(dir, 'Meta.ps1'), 'meta\n');
  writeFileSync(path.join(dir, 'Collect-Triage.ps1'), 'edited by review\n');
  writeFileSync(path.join(dir, 'bad name.ps1'), 'x\n');
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'sub', 'Nested.ps1'), 'nested\n');
  writeFileSync(path.join(dir, 'library.json'), JSON.stringify({
    owner: 'secops',
    files: { 'Meta.ps1': { description: 'new words' }, 'mac_collect.sh': { mayRemove: true } },
  }));

  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  await section.getByLabel('Folder (or drop its files here)').setInputFiles(dir);
  await expect(section.getByRole('status')).toHaveText(
    '1 new, 2 changed, 1 unchanged, 19 only in the library; 1 left out. 1 file in a subfolder does not count. 1 unknown member of library.json ignored.');
  const plan = section.getByRole('list', { name: 'The plan' });
  await expect(plan).toContainText('New-Script.ps1: new: not in the library, uploaded');
  await expect(plan).toContainText('Collect-Triage.ps1: changed: other content (SHA-256), uploaded over it');
  await expect(plan).toContainText('Meta.ps1: changed: other description or parameters, uploaded over it');
  await expect(plan).toContainText('Same.ps1: unchanged: nothing is sent');
  await expect(plan).toContainText('mac_collect.sh: only in the library: library.json allows its removal; tick to remove it');
  await expect(plan).toContainText('autorunsc64.exe: only in the library: kept');
  await expect(plan).toContainText('bad name.ps1: left out: the library refuses this name (as bad_name.ps1 it would take it)');
  await expect(plan).not.toContainText('Nested.ps1');
  await page.screenshot({ path: shots('folder-plan'), fullPage: true });

  // The filter by kind.
  await section.getByLabel('Show').selectOption('changed');
  await expect(plan.getByRole('listitem')).toHaveText([
    'Collect-Triage.ps1: changed: other content (SHA-256), uploaded over it',
    'Meta.ps1: changed: other description or parameters, uploaded over it',
  ]);

  // The report: every file, with both SHA-256s.
  const download = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Download the plan (JSON)' }).click();
  const report = JSON.parse(await (await download).createReadStream().then(async (s) => {
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }));
  expect(report.format).toBe('mde-library-admin/library-report/1');
  const same = report.files.find((f: { fileName: string }) => f.fileName === 'Same.ps1');
  expect(same).toMatchObject({ kind: 'unchanged', folderSha256: sha('same\n'), librarySha256: sha('same\n') });
  expect(report.files).toHaveLength(24);

  // Planning sends nothing.
  const log: { method: string; path: string }[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.path.startsWith('/api/') && r.method !== 'GET')).toEqual([]);
});

test('a library.json that is not JSON is named with where it broke; nothing is planned', async ({ page }) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
  writeFileSync(path.join(dir, 'a.ps1'), 'a\n');
  writeFileSync(path.join(dir, 'library.json'), '{\n  "files": {,\n}');
  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  await section.getByLabel('Folder (or drop its files here)').setInputFiles(dir);
  await expect(section.getByRole('alert')).toContainText(/^library\.json is not valid JSON: .*line 2/);
  await expect(section.getByRole('list', { name: 'The plan' })).toHaveCount(0);
});

test('files dropped on the section are planned like a folder\'s', async ({ page, sim }) => {
  await sim('POST', '/files', entity('Same.ps1', 'same\n', null));
  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['same\n'], 'Same.ps1'));
    dt.items.add(new File(['new\n'], 'Dropped.ps1'));
    return dt;
  });
  await section.dispatchEvent('drop', { dataTransfer: dropped });
  await expect(section.getByRole('status')).toHaveText('1 new, 0 changed, 1 unchanged, 20 only in the library; 0 left out.');
  await expect(section.getByRole('list', { name: 'The plan' })).toContainText('Dropped.ps1: new: not in the library, uploaded');
});

/// Reads a download as text.
async function downloaded(download: Promise<import('@playwright/test').Download>) {
  const stream = await (await download).createReadStream();
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/// A folder with a new file, a changed one, an unchanged one, and a library.json that allows
/// mac_collect.sh (in the simulator's library) to be removed.
async function applyFolder(sim: Sim) {
  await sim('POST', '/files', entity('Same.ps1', 'same\n', 'kept'));
  await sim('POST', '/files', entity('Changed.ps1', 'old\n', 'Changes things'));
  const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
  writeFileSync(path.join(dir, 'New-A.ps1'), 'new a\n');
  writeFileSync(path.join(dir, 'Changed.ps1'), 'reviewed\n');
  writeFileSync(path.join(dir, 'Same.ps1'), 'same\n');
  writeFileSync(path.join(dir, 'library.json'), JSON.stringify({
    files: { 'New-A.ps1': { description: 'Collects A', hasParameters: true, parametersDescription: '-Days <n>' }, 'mac_collect.sh': { mayRemove: true } },
  }));
  return dir;
}

async function planFolder(page: import('@playwright/test').Page, dir: string) {
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  await section.getByLabel('Folder (or drop its files here)').setInputFiles(dir);
  await expect(section.getByRole('status')).toHaveText('1 new, 1 changed, 1 unchanged, 20 only in the library; 0 left out.');
  return section;
}

test('apply with a removal ticked: typed confirmation, one upload fails with a 500, Retry failed; records, the report, and a drift check against it', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(/status of 500/);
  const dir = await applyFolder(sim);
  await signIn(page);
  const section = await planFolder(page, dir);
  const apply = section.getByRole('button', { name: 'Apply the plan (2)' });
  await expect(section.getByText('Applying uploads 1 new, overwrites 1 and deletes 0 in the library.', { exact: true })).toBeVisible();
  // Never ticked by default; offered only where library.json allows it.
  const remove = section.getByRole('checkbox', { name: /^mac_collect\.sh: only in the library/ });
  await expect(remove).not.toBeChecked();
  await expect(section.getByRole('checkbox')).toHaveCount(1);
  await remove.check();
  await expect(section.getByRole('button', { name: 'Apply the plan (3)' })).toBeEnabled();
  await expect(apply).toHaveCount(0);
  // The first upload (Changed.ps1, in name order) fails once.
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/api/libraryfiles', status: 500, count: 1 });
  await section.getByRole('button', { name: 'Apply the plan (3)' }).click();
  const confirm = section.getByRole('group', { name: 'Confirm the apply' });
  await expect(confirm).toContainText('Applying uploads 1 new, overwrites 1 and deletes 1 in the library.');
  const go = confirm.getByRole('button', { name: 'Apply 3 changes' });
  await expect(go).toBeDisabled();
  await confirm.getByLabel('Type 3 to confirm').fill('2');
  await expect(go).toBeDisabled();
  await confirm.getByLabel('Type 3 to confirm').fill('3');
  await go.click();
  const run = page.getByRole('region', { name: 'Apply the plan' });
  await expect(run.getByRole('status')).toHaveText('Applied 2 of 3 changes; 1 failed.', { timeout: 20_000 });
  await expect(run.getByRole('listitem')).toHaveText([/^Changed\.ps1: /]);
  const plan = section.getByRole('list', { name: 'The plan' });
  await expect(plan).toContainText('New-A.ps1: new: not in the library, uploaded (applied: uploaded)');
  await expect(plan).toContainText('Changed.ps1: changed: other content (SHA-256), uploaded over it (applied: failed)');
  await expect(plan).toContainText('(applied: deleted)');
  await page.screenshot({ path: shots('folder-apply'), fullPage: true });

  await run.getByRole('button', { name: 'Retry failed' }).click();
  await expect(run.getByRole('status')).toHaveText('Applied 1 of 1 changes.', { timeout: 20_000 });
  await expect(plan).toContainText('Changed.ps1: changed: other content (SHA-256), uploaded over it (applied: uploaded)');

  // What the library holds now, and what was sent: the unchanged file never.
  const files: { fileName: string; sha256: string; description: string | null; hasParameters: boolean; parametersDescription?: string | null }[] = await sim('GET', '/files');
  const byName = Object.fromEntries(files.map((f) => [f.fileName, f]));
  expect(byName['Changed.ps1'].sha256).toBe(sha('reviewed\n'));
  // The manifest says nothing of Changed.ps1's description: the library's is kept.
  expect(byName['Changed.ps1'].description).toBe('Changes things');
  expect(byName['New-A.ps1']).toMatchObject({ sha256: sha('new a\n'), description: 'Collects A', hasParameters: true, parametersDescription: '-Days <n>' });
  expect(byName['mac_collect.sh']).toBeUndefined();
  const log: { method: string; path: string }[] = await sim('GET', '/requests');
  const writes = log.filter((r) => r.path.startsWith('/api/') && r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
  expect(writes).toEqual([
    'POST /api/libraryfiles', 'POST /api/libraryfiles', 'DELETE /api/libraryfiles/mac_collect.sh', 'POST /api/libraryfiles',
  ]);

  // Every change is an activity record.
  await page.getByRole('button', { name: /Activity/ }).click();
  const trail = page.getByRole('region', { name: 'Activity' });
  await expect(trail).toContainText('uploaded New-A.ps1');
  await expect(trail).toContainText('deleted mac_collect.sh (HTTP 204)');
  await expect(trail).toContainText('could not upload Changed.ps1 (HTTP 500)');
  await expect(trail).toContainText('uploaded Changed.ps1');

  // The report carries each file's outcome.
  const json = JSON.parse(await downloaded((async () => {
    const d = page.waitForEvent('download');
    await section.getByRole('button', { name: 'Download the report (JSON)' }).click();
    return d;
  })()));
  const outcome = (name: string) => json.files.find((f: { fileName: string }) => f.fileName === name)?.outcome;
  expect([outcome('New-A.ps1'), outcome('Changed.ps1'), outcome('mac_collect.sh'), outcome('Same.ps1'), outcome('autorunsc64.exe')])
    .toEqual(['uploaded', 'uploaded', 'deleted', 'unchanged', 'kept']);

  // Later, a file is changed behind the panel's back: the drift check against the saved report names it.
  await sim('POST', '/files', entity('New-A.ps1', 'edited by hand\n', 'Collects A'));
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.getByRole('button', { name: 'Drift check' }).click();
  const drift = page.getByRole('region', { name: 'Drift check' });
  await drift.getByLabel('Baseline (a report or library.json)').setInputFiles({ name: 'library-apply.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(json)) });
  await expect(drift.getByRole('list', { name: 'Files that drifted' }).getByRole('listitem')).toHaveText([
    /^New-A\.ps1: differs \(baseline [0-9a-f]{12}, library [0-9a-f]{12}\)$/,
  ]);
  await expect(drift.getByRole('status')).toHaveText('1 differs, 0 missing, 0 not in the baseline, 21 the same.');
});

test('canceling mid-apply keeps what was done and says what was not sent', async ({ page, sim }) => {
  const dir = await applyFolder(sim);
  await signIn(page);
  const section = await planFolder(page, dir);
  await section.getByRole('checkbox', { name: /^mac_collect\.sh/ }).check();
  await sim('POST', '/faults', { method: 'POST', pathPrefix: '/api/libraryfiles', delayMs: 1500, count: 2 });
  await section.getByRole('button', { name: 'Apply the plan (3)' }).click();
  const confirm = section.getByRole('group', { name: 'Confirm the apply' });
  await confirm.getByLabel('Type 3 to confirm').fill('3');
  await confirm.getByRole('button', { name: 'Apply 3 changes' }).click();
  const run = page.getByRole('region', { name: 'Apply the plan' });
  await run.getByRole('button', { name: 'Cancel' }).click();
  await expect(run.getByRole('status')).toHaveText('Canceled. Applied 1 of 3 changes; 2 not tried.', { timeout: 20_000 });
  const json = JSON.parse(await downloaded((async () => {
    const d = page.waitForEvent('download');
    await section.getByRole('button', { name: 'Download the report (JSON)' }).click();
    return d;
  })()));
  const outcome = (name: string) => json.files.find((f: { fileName: string }) => f.fileName === name)?.outcome;
  expect([outcome('Changed.ps1'), outcome('New-A.ps1'), outcome('mac_collect.sh')]).toEqual(['uploaded', 'not-sent', 'not-sent']);
  const files: { fileName: string }[] = await sim('GET', '/files');
  expect(files.map((f) => f.fileName)).toContain('mac_collect.sh');
});

test('only new files apply without a typed confirmation', async ({ page, sim }) => {
  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
  writeFileSync(path.join(dir, 'Only-New.ps1'), 'only new\n');
  await section.getByLabel('Folder (or drop its files here)').setInputFiles(dir);
  await section.getByRole('button', { name: 'Apply the plan (1)' }).click();
  await expect(section.getByRole('group', { name: 'Confirm the apply' })).toBeHidden();
  await expect(page.getByRole('region', { name: 'Apply the plan' }).getByRole('status')).toHaveText('Applied 1 of 1 changes.');
  await expect(page.getByRole('rowheader', { name: 'Only-New.ps1' })).toBeVisible();
  const files: { fileName: string }[] = await sim('GET', '/files');
  expect(files.map((f) => f.fileName)).toContain('Only-New.ps1');
});

test('the directory picker, where the browser has one: its files planned, its subfolders left out', async ({ page, sim }) => {
  await sim('POST', '/files', entity('Same.ps1', 'same\n', null));
  // Headless Chromium cannot show the picker: a stand-in gives a folder with two files and a
  // subfolder, as FileSystemDirectoryHandle.values() does.
  await page.addInitScript(() => {
    const file = (name: string, text: string) => ({ kind: 'file', name, getFile: async () => new File([text], name) });
    (window as unknown as { showDirectoryPicker: () => Promise<unknown> }).showDirectoryPicker = async () => ({
      kind: 'directory',
      name: 'scripts',
      async *values() {
        yield file('Same.ps1', 'same\n');
        yield file('Picked.ps1', 'picked\n');
        yield { kind: 'directory', name: 'old' };
      },
    });
  });
  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  await section.getByRole('button', { name: 'Choose a folder…' }).click();
  await expect(section.getByRole('status')).toHaveText('1 new, 0 changed, 1 unchanged, 20 only in the library; 0 left out. 1 subfolder does not count.');
  await expect(section.getByRole('list', { name: 'The plan' })).toContainText('Picked.ps1: new: not in the library, uploaded');
});

test('a folder of 10,000 files is planned whole; the page draws the first 500 rows and the report has every file', async ({ page }) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'library-'));
  for (let i = 0; i < 10_000; i++) writeFileSync(path.join(dir, `s${String(i).padStart(5, '0')}.ps1`), `# ${i}\n`);
  await signIn(page);
  await page.getByRole('button', { name: 'Plan from a folder' }).click();
  const section = page.getByRole('region', { name: 'Plan from a folder' });
  await section.getByLabel('Folder (or drop its files here)').setInputFiles(dir);
  await expect(section.getByRole('status')).toHaveText('10000 new, 0 changed, 0 unchanged, 20 only in the library; 0 left out.', { timeout: 150_000 });
  const items = section.getByRole('list', { name: 'The plan' }).getByRole('listitem');
  await expect(items).toHaveCount(501);
  await expect(items.last()).toHaveText('… and 9520 more: the report lists every file.');
  await expect(section.getByRole('button', { name: 'Apply the plan (10000)' })).toBeEnabled();
  const json = JSON.parse(await downloaded((async () => {
    const d = page.waitForEvent('download');
    await section.getByRole('button', { name: 'Download the plan (JSON)' }).click();
    return d;
  })()));
  expect(json.files).toHaveLength(10_020);
});
