import type { Page } from '@playwright/test';
import { test, expect, httpStatusError, shots, signIn } from './fixtures';

// The activity trail: every change while the page is open, newest first, exported as CSV and
// JSON with the right rows, and never a token in it.

async function deleteOne(page: Page, name: string) {
  await page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
}

/** Parses RFC 4180 CSV (quoted cells with commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; }
    else cell += c;
  }
  return rows;
}

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

test('Activity lists every change newest first; the CSV and JSON exports parse with the right rows', async ({ page, sim, expectConsoleErrors }) => {
  expectConsoleErrors(httpStatusError(404));
  await signIn(page);
  await deleteOne(page, 'mac_collect.sh');
  await expect(page.locator('.outcomes [role=status]')).toContainText('Deleted mac_collect.sh.');
  await sim('DELETE', '/files/Collect-Triage.ps1');
  await deleteOne(page, 'Collect-Triage.ps1');
  await expect(page.locator('.outcomes')).toContainText('Collect-Triage.ps1 was not found');
  await page.getByRole('button', { name: 'Activity (2)' }).click();
  const section = page.getByRole('region', { name: 'Activity' });
  await expect(section.getByRole('listitem')).toHaveText([
    /UTC: Ada Admin did not find Collect-Triage\.ps1 \(HTTP 404\)/,
    /UTC: Ada Admin deleted mac_collect\.sh \(HTTP 204\)$/,
  ]);
  await page.screenshot({ path: shots('activity') });

  const csvDownload = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Export CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toBe('activity.csv');
  const csvText = (await (await csv.createReadStream()).toArray()).join('');
  const rows = parseCsv(csvText);
  expect(rows[0]).toEqual(['time', 'account', 'action', 'fileName', 'sha256', 'sha256After', 'status', 'outcome', 'trackingId']);
  expect(rows.slice(1).map((r) => [r[1], r[2], r[3], r[6], r[7]])).toEqual([
    ['Ada Admin', 'delete', 'mac_collect.sh', '204', 'deleted'],
    ['Ada Admin', 'delete', 'Collect-Triage.ps1', '404', 'not-found'],
  ]);
  expect(rows[1][4]).toMatch(/^[0-9a-f]{64}$/);

  const jsonDownload = page.waitForEvent('download');
  await section.getByRole('button', { name: 'Export JSON' }).click();
  const json = await jsonDownload;
  expect(json.suggestedFilename()).toBe('activity.json');
  const jsonText = (await (await json.createReadStream()).toArray()).join('');
  const records = JSON.parse(jsonText);
  expect(records).toHaveLength(2);
  expect(records[0]).toMatchObject({ action: 'delete', fileName: 'mac_collect.sh', status: 204, outcome: 'deleted', account: 'Ada Admin', trackingId: null, sha256After: null });
  expect(records[1]).toMatchObject({ fileName: 'Collect-Triage.ps1', status: 404, outcome: 'not-found' });
  // No token material in either export.
  expect(csvText + jsonText).not.toMatch(/eyJ|Bearer|access_token/);
});
