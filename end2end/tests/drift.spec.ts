import { test, expect, shots, signIn } from './fixtures';

// The drift check (issue 17, 5): the library as loaded against a baseline the person picks.
// Here the baseline is a library.json listing each file's sha256, taken from the library; then
// files are replaced, removed and added behind the panel's back (/_sim/files).

type Entity = { fileName: string; sha256: string };

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

const manifestOf = (files: Entity[]) =>
  Buffer.from(JSON.stringify({ files: Object.fromEntries(files.map((f) => [f.fileName, { sha256: f.sha256 }])) }, null, 2));

async function runCheck(page: import('@playwright/test').Page, body: Buffer) {
  await page.getByRole('button', { name: 'Drift check' }).click();
  const section = page.getByRole('region', { name: 'Drift check' });
  await section.getByLabel('Baseline (a report or library.json)').setInputFiles({ name: 'library.json', mimeType: 'application/json', buffer: body });
  return section;
}

test('a library changed behind the panel\'s back: the drift check names what differs, is missing and is new', async ({ page, sim }) => {
  await signIn(page);
  const baseline = manifestOf(await sim('GET', '/files'));
  // Behind the panel: one script replaced, one removed, one added.
  await sim('POST', '/files', {
    fileName: 'Collect-Triage.ps1', sha256: '0f'.repeat(32), description: 'replaced by hand', creationTime: '2026-01-01T00:00:00.0000000Z',
    lastUpdatedTime: '2026-12-04T00:00:00.0000000Z', createdBy: 'someone', hasParameters: false,
  });
  await sim('DELETE', '/files/mac_collect.sh');
  await sim('POST', '/files', {
    fileName: 'Added-By-Hand.ps1', sha256: 'ab'.repeat(32), description: null, creationTime: '2026-12-04T00:00:00.0000000Z',
    lastUpdatedTime: '2026-12-04T00:00:00.0000000Z', createdBy: 'someone', hasParameters: false,
  });
  await page.getByRole('button', { name: 'Refresh' }).click();
  await expect(page.getByText('20 files')).toBeVisible();
  const section = await runCheck(page, baseline);
  await expect(section.getByRole('status')).toHaveText('1 differs, 1 missing, 1 not in the baseline, 18 the same.');
  await expect(section.getByRole('list', { name: 'Files that drifted' }).getByRole('listitem')).toHaveText([
    'Added-By-Hand.ps1: not in the baseline',
    /^Collect-Triage\.ps1: differs \(baseline [0-9a-f]{12}, library 0f0f0f0f0f0f\)$/,
    'mac_collect.sh: missing from the library',
  ]);
  await page.screenshot({ path: shots('drift-check') });
  // Nothing was changed by it: no call but the list's.
  const log: { method: string; path: string }[] = await sim('GET', '/requests');
  expect(log.filter((r) => r.path.startsWith('/api/') && r.method !== 'GET')).toEqual([]);
});

test('a reader runs the drift check; a file that is not a baseline compares nothing and says why', async ({ page, sim }) => {
  await signIn(page, { account: 'Riley Reader' });
  const section = await runCheck(page, manifestOf(await sim('GET', '/files')));
  await expect(section.getByRole('status')).toHaveText('No drift: all 20 files are as in the baseline.');
  await section.getByLabel('Baseline (a report or library.json)').setInputFiles({
    name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "someone else\'s"}'),
  });
  await expect(section.getByRole('alert')).toHaveText(
    'The baseline is not a report of this panel, nor a library.json that lists a sha256 per file. Nothing was compared.');
  await expect(section.getByRole('status')).toHaveCount(0);
});
