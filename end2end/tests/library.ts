// The 10,000-entry library of the scale test and the benchmark, and the filter rule the
// panel applies (name, description, creator; case-insensitive), to predict counts.

export const N = 10_000;
/** Entries per list page: the panel follows @odata.nextLink for four calls. */
export const PAGE = 2_500;

export type Entry = {
  fileName: string;
  sha256: string;
  description: string | null;
  creationTime: string;
  lastUpdatedTime: string;
  createdBy: string;
  hasParameters: boolean;
};

export function library(n: number): Entry[] {
  const creators = ['Jonathan Glass', 'Priya Raman', 'admin'];
  return Array.from({ length: n }, (_, i) => ({
    fileName: `Script-${String(i).padStart(5, '0')}.${['ps1', 'sh', 'exe', 'txt'][i % 4]}`,
    sha256: i.toString(16).padStart(8, '0').repeat(8),
    description: i % 3 ? `Collects evidence set ${i % 97}` : null,
    creationTime: '2026-01-01T10:00:00.0000000Z',
    lastUpdatedTime: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00.0000000Z`,
    createdBy: creators[i % 3],
    hasParameters: i % 2 === 0,
  }));
}

/** The count line the panel shows for `filter`. */
export function countText(files: Entry[], filter: string): string {
  const needle = filter.trim().toLowerCase();
  const hits = files.filter((f) => [f.fileName, f.description ?? '', f.createdBy]
    .some((s) => s.toLowerCase().includes(needle))).length;
  return hits === files.length ? `${files.length} files` : `Showing ${hits} of ${files.length} files`;
}
