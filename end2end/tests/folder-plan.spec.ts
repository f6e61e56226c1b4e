import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect, shots, signIn } from './fixtures';

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
  await expect(plan).toContainText('mac_collect.sh: only in the library: library.json allows its removal (not ticked)');
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
