import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { sampleDocument } from './fixtures.js';
import { parseMobileDocument } from './load.js';
import type { Occurrence } from './model.js';
import { expandOccurrences } from './occurrences.js';
import { MAX_OCCURRENCE_PAGE, occurrenceCursor, pageOfOccurrences } from './paging.js';

const year = () => {
  const { data } = parseMobileDocument(sampleDocument());
  return expandOccurrences(data, '2026-01-01', '2026-12-31');
};

/** Every page, following the cursors. */
function allPages(list: readonly Occurrence[], limit: number): Occurrence[][] {
  const pages: Occurrence[][] = [];
  let cursor: string | null = null;
  do {
    const p = pageOfOccurrences(list, limit, cursor);
    pages.push([...p.items]);
    cursor = p.next;
  } while (cursor !== null && pages.length < 1000);
  return pages;
}

describe('pages of passages (finding 5, issue 9)', () => {
  it('pages follow each other without gap nor repeat, whatever the page size', () => {
    const list = year();
    expect(list.length).toBeGreaterThan(50);
    for (const limit of [1, 7, 50, list.length, MAX_OCCURRENCE_PAGE]) {
      const pages = allPages(list, limit);
      expect(pages.flat()).toEqual(list);
      expect(pages.every((p) => p.length <= limit)).toBe(true);
      expect(pages.length).toBe(Math.max(1, Math.ceil(list.length / limit)));
    }
  });

  it('orders ties on start and entry by the date planned, so a cancelled and a moved passage at one time both come', () => {
    const at = new Date('2026-06-03T08:00:00Z');
    const base = { entry: 'e1', unit: 'u', stop: 's', commune: '02361', start: at, end: at };
    const moved: Occurrence = { ...base, date: '2026-06-03', status: 'moved', movedFrom: '2026-06-02' };
    const cancelled: Occurrence = { ...base, date: '2026-06-03', status: 'cancelled' };
    const pages = allPages([moved, cancelled], 1);
    expect(pages.flat()).toEqual([moved, cancelled]); // planned 06-02 before planned 06-03
    expect(occurrenceCursor(moved)).toBe(`${at.getTime()}.e1.2026-06-02`);
  });

  it('refuses a page size out of bounds and a malformed cursor, naming the field', () => {
    const list = year();
    for (const limit of [0, -1, 1.5, MAX_OCCURRENCE_PAGE + 1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => pageOfOccurrences(list, limit)).toThrow(DomainError);
      try {
        pageOfOccurrences(list, limit);
      } catch (e) {
        expect((e as DomainError).field).toBe('limit');
      }
    }
    for (const cursor of ['x', '1.e1', '1.e1.2026-13', `${'1'.repeat(16)}.e1.2026-01-01`, 'a'.repeat(500)]) {
      expect(() => pageOfOccurrences(list, 10, cursor)).toThrowError(/Curseur de page invalide/);
    }
    // A cursor past the end: an empty last page.
    expect(pageOfOccurrences(list, 10, `${Date.UTC(2030, 0, 1)}.e1.2030-01-01`)).toEqual({
      items: [],
      next: null,
    });
  });
});
