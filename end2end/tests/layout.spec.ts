import type { Page } from '@playwright/test';
import { test, expect, shots, signIn } from './fixtures';

// The panel at home in a portal (style/main.css): narrow screens and 200 % zoom get one card
// per row, dark mode and the data-theme override, --mde-* theming from the host page, and a
// host stylesheet with aggressive global rules that must not reach into the panel.

test.beforeEach(async ({ sim }) => {
  await sim('POST', '/reset');
});

/** Signed in, and the whole seed listed: the checks here measure its rows. */
async function signInToSeed(page: Page) {
  await signIn(page);
  await expect(page.getByText('20 files')).toBeVisible();
}

/** A host page's stylesheet, in place before the panel's page loads (constructed, so the
 * page's CSP does not apply to it: it stands for the portal's own styles). It comes after the
 * panel's stylesheet in the cascade, the worst case for the panel. */
async function hostStylesheet(page: Page, css: string) {
  await page.addInitScript((text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    const adopt = () => { document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; };
    if (document.documentElement) adopt();
    else document.addEventListener('readystatechange', adopt, { once: true });
  }, css);
}

/** What the rows in view look like: height, and anything cut off or clipped. */
async function rowReport(page: Page) {
  return page.evaluate(() => {
    const rows = [...document.querySelectorAll<HTMLElement>('tbody tr[data-i]')];
    const problems: string[] = [];
    for (const tr of rows) {
      const name = tr.querySelector('th')?.textContent;
      for (const cell of tr.querySelectorAll<HTMLElement>('th, td')) {
        if (getComputedStyle(cell).display === 'none') continue;
        const box = cell.getBoundingClientRect();
        // Text cut short: readable in full from a title on the cell or on what it holds.
        if (cell.scrollWidth > cell.clientWidth + 1 && !cell.title && !cell.querySelector('[title]')) {
          problems.push(`${name}: "${cell.textContent}" is cut off without a title`);
        }
        // Buttons are never clipped by their cell.
        for (const b of cell.querySelectorAll('button')) {
          const r = b.getBoundingClientRect();
          if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1) {
            problems.push(`${name}: button "${b.textContent}" is clipped by its cell`);
          }
        }
      }
    }
    // Column headers are never cut (they have no title).
    for (const th of document.querySelectorAll<HTMLElement>('thead th')) {
      if (getComputedStyle(th).display !== 'none' && th.scrollWidth > th.clientWidth + 1) {
        problems.push(`column header "${th.textContent}" is cut off`);
      }
    }
    const scroller = document.querySelector<HTMLElement>('.table-scroll')!;
    return {
      count: rows.length,
      heights: [...new Set(rows.map((r) => Math.round(r.getBoundingClientRect().height)))],
      rowHeightVar: getComputedStyle(scroller).getPropertyValue('--mde-row-height').trim(),
      sideways: scroller.scrollWidth > scroller.clientWidth,
      pageSideways: document.documentElement.scrollWidth > innerWidth,
      problems,
    };
  });
}

/** In card mode: every card shows name, type, last updated, short SHA-256, Copy and Delete. */
async function expectCards(page: Page) {
  const report = await rowReport(page);
  expect(report.count).toBe(20);
  expect(report.rowHeightVar).toBe('132px');
  expect(report.heights).toEqual([132]);
  expect(report.sideways).toBe(false);
  expect(report.pageSideways).toBe(false);
  expect(report.problems).toEqual([]);
  const card = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Collect-Triage.ps1' }) });
  await card.scrollIntoViewIfNeeded();
  for (const part of [card.getByRole('rowheader'), card.locator('td.type'), card.locator('td time').nth(1),
    card.locator('td.sha code'), card.getByRole('button', { name: /^Copy SHA-256/ }), card.getByRole('button', { name: /^Delete/ })]) {
    await expect(part).toBeVisible();
  }
  await expect(card.locator('td.description')).toBeHidden();
  await expect(page.getByRole('columnheader', { name: 'Actions' })).toBeHidden(); // not a sort key
}

test('360 px wide: each row is a card of --mde-row-height (132 px), nothing cut off, the dialog fits', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signInToSeed(page);
  await expect(page.getByRole('searchbox', { name: 'Filter' })).toBeInViewport({ ratio: 1 });
  await expect(page.getByRole('button', { name: 'Name' })).toBeVisible(); // sorting stays
  await page.screenshot({ path: shots('narrow-360') });
  await expectCards(page);

  await page.getByRole('button', { name: 'Delete Collect-Triage.ps1', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeInViewport({ ratio: 1 });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
});

test('200 % zoom (1280 × 900 at twice the size): cards too', async ({ page }) => {
  await page.setViewportSize({ width: 640, height: 450 });
  await signInToSeed(page);
  await expectCards(page);
});

for (const width of [1400, 1024, 800]) {
  test(`${width} px wide: a table of 44 px rows; no button clipped, no text cut without a title`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 });
    await signInToSeed(page);
    const report = await rowReport(page);
    expect(report.rowHeightVar).toBe('44px');
    expect(report.heights).toEqual([44]);
    expect(report.problems).toEqual([]);
    expect(report.pageSideways).toBe(false);
  });
}

const rootBackground = (page: Page) =>
  page.locator('.mde-library-admin').evaluate((e) => getComputedStyle(e).backgroundColor);

test('dark mode follows prefers-color-scheme; data-theme on the root overrides it', async ({ page }) => {
  const light = 'rgb(245, 246, 248)';
  const dark = 'rgb(18, 20, 24)';
  await page.emulateMedia({ colorScheme: 'dark' });
  await signInToSeed(page);
  expect(await rootBackground(page)).toBe(dark);
  await page.screenshot({ path: shots('dark') });
  const setTheme = (t: string | null) => page.locator('.mde-library-admin').evaluate((e, t) => {
    if (t) e.setAttribute('data-theme', t); else e.removeAttribute('data-theme');
  }, t);
  await setTheme('light');
  expect(await rootBackground(page)).toBe(light);
  await page.emulateMedia({ colorScheme: 'light' });
  await setTheme(null);
  expect(await rootBackground(page)).toBe(light);
  await setTheme('dark');
  expect(await rootBackground(page)).toBe(dark);
});

test('a host themes the panel with --mde-* properties, set on any ancestor, in both themes', async ({ page }) => {
  await hostStylesheet(page, ':root { --mde-accent: rgb(192, 0, 0); --mde-font: Georgia, serif; --mde-radius: 0px; }');
  await page.goto('/');
  const signInButton = page.getByRole('button', { name: 'Sign in' });
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const style = await signInButton.evaluate((b) => {
      const s = getComputedStyle(b);
      return [s.backgroundColor, s.fontFamily, s.borderTopLeftRadius];
    });
    expect(style).toEqual(['rgb(192, 0, 0)', 'Georgia, serif', '0px']);
  }
});

test('a host page with aggressive global CSS does not break the panel', async ({ page }) => {
  await hostStylesheet(page, `
    * { box-sizing: content-box !important; font-size: 30px; }
    html { font-size: 10px; line-height: 3; }
    body { color: lime; text-align: center; text-transform: uppercase; letter-spacing: 4px; white-space: pre; }
    table { display: block; }
    td, th { padding: 20px; border: 5px solid red; }
    button { all: unset; }
    div, p, section, main, header { margin: 40px; padding: 10px; }
    input { display: none; }
  `);
  await signInToSeed(page);
  const root = page.locator('.mde-library-admin');
  expect(await root.evaluate((e) => {
    const s = getComputedStyle(e);
    return [s.fontSize, s.color, s.textTransform, s.textAlign];
  })).toEqual(['16px', 'rgb(27, 27, 31)', 'none', 'start']);
  const table = page.getByRole('table', { name: 'Live response library' });
  expect(await table.evaluate((t) => getComputedStyle(t).display)).toBe('table');
  const report = await rowReport(page);
  expect(report.heights).toEqual([44]);
  expect(report.problems).toEqual([]);
  // Buttons look like buttons and work.
  const del = page.getByRole('button', { name: 'Delete Collect-Triage.ps1', exact: true });
  await expect(del).toBeVisible();
  expect(await del.evaluate((b) => {
    const s = getComputedStyle(b);
    return [s.display, s.borderTopWidth, s.cursor, s.boxSizing];
  })).toEqual(['inline-block', '1px', 'pointer', 'border-box']);
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByRole('columnheader', { name: 'Name' })).toHaveAttribute('aria-sort', 'descending');
  await page.getByRole('button', { name: 'Name' }).click();
  await expect(page.getByRole('searchbox', { name: 'Filter' })).toBeVisible();
  await page.screenshot({ path: shots('host-aggressive-css') });
  await del.click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByRole('button', { name: 'Delete', exact: true })).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(del).toBeFocused();
});
