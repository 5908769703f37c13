import { describe, expect, it } from 'vitest';
import { crisisSeries, receivingByWeek, statusAt, weeksOf } from './crisis.js';

const h = (
  id: string,
  status: string,
  changes: Array<[string, string, string]> = [],
  created = '2025-01-01T00:00:00Z',
) => ({
  id,
  createdAt: new Date(created),
  status,
  changes: changes.map(([at, from, to]) => ({ at: new Date(at), from, to })),
});

describe('crisis indicators', () => {
  it('whole ISO weeks touching the range', () => {
    expect(weeksOf('2026-03-18', '2026-03-30')).toEqual(['2026-03-16', '2026-03-23', '2026-03-30']);
  });

  it('the status at an instant reads the history like the national status counts', () => {
    const x = h('a', 'ouverte', [
      ['2026-03-17T10:00:00Z', 'ouverte', 'fermee_temporairement'],
      ['2026-04-01T10:00:00Z', 'fermee_temporairement', 'ouverte'],
    ]);
    expect(statusAt(x, new Date('2026-03-01T00:00:00Z'))).toBe('ouverte');
    expect(statusAt(x, new Date('2026-03-23T00:00:00Z'))).toBe('fermee_temporairement');
    expect(statusAt(x, new Date('2026-05-01T00:00:00Z'))).toBe('ouverte');
  });

  it('the share active counts structures receiving the public that recorded at least once', () => {
    const weeks = ['2026-03-16', '2026-03-23'];
    const histories = [
      h('a', 'ouverte', [['2026-03-20T10:00:00Z', 'ouverte', 'fermee_temporairement']]),
      h('b', 'accueil_a_distance'),
      h('c', 'ouverte', [], '2026-03-25T00:00:00Z'), // created during the second week
      h('d', 'fermee_definitivement'),
    ];
    const receiving = receivingByWeek(weeks, histories);
    expect(receiving).toEqual([
      { semaine: '2026-03-16', id: 'b' },
      { semaine: '2026-03-23', id: 'b' },
      { semaine: '2026-03-23', id: 'c' },
    ]);
    const series = crisisSeries(weeks, receiving, [
      // a: closed at the week's end, counted apart
      { semaine: '2026-03-16', activeIds: ['a', 'b'], n: 9, nDistance: 4 },
      { semaine: '2026-03-23', activeIds: ['c'], n: 2, nDistance: 1 },
    ]);
    expect(series).toEqual([
      {
        semaine: '2026-03-16',
        structuresOuvertes: 1,
        structuresActives: 1,
        partActives: 1,
        activesHorsOuvertes: 1,
        accompagnements: 9,
        aDistance: 4,
        partDistance: 0.4444,
      },
      {
        semaine: '2026-03-23',
        structuresOuvertes: 2,
        structuresActives: 1,
        partActives: 0.5,
        activesHorsOuvertes: 0,
        accompagnements: 2,
        aDistance: 1,
        partDistance: 0.5,
      },
    ]);
    expect(crisisSeries(['2026-03-30'], [], [])[0]).toMatchObject({ partActives: null, partDistance: null });
  });
});
