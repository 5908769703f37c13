import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../../src/composition.js';
import { closeContext } from '../../../src/composition.js';
import { insertDossier } from '../../../src/db/repositories/escalade.repository.js';
import { ESCALADE_PARTNERS, figuresOf } from '../../../src/domain/escalade/index.js';
import { insertStructure } from '../../support/accounts.js';
import { buildTestContext } from '../../support/app.js';

/**
 * The escalation figures are aggregated in SQL (escalade.repository `figureCounts`). They must be the
 * figures of their definition, `figuresOf`, computed case by case: checked here on 400 cases drawn with
 * a fixed seed (ties, unanswered, unsettled, unclosed, outside the period, another structure).
 */
const NOW = new Date('2026-11-24T09:30:00Z');
const FROM = new Date('2026-10-01T00:00:00Z');
const TO = new Date('2026-11-01T00:00:00Z');
const national = { id: 'n', role: 'national', structureIds: [], departement: null } as const;

let ctx: AppContext;
let structure02: string;
const cases: Array<{
  structureId: string;
  partenaire: string;
  departement: string;
  filedAt: Date;
  firstAnswerDue: Date;
  firstAnswerBh: number | null;
  closeBh: number | null;
}> = [];

/** A small deterministic generator (mulberry32): the same cases on every run and both databases. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  ctx = await buildTestContext({ now: NOW.toISOString() });
  const s02 = await insertStructure(ctx, { departement: '02' });
  const s80 = await insertStructure(ctx, { departement: '80', codeInsee: '80021' });
  structure02 = s02.id;
  const next = random(20261204);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  // Hours on a grid of 3 (72 is on it): medians fall on ties and on the mean of two values.
  const hours = () => Math.round(next() * 40) * 3;
  for (let i = 0; i < 400; i++) {
    const [structureId, departement] = next() < 0.6 ? [s02.id, '02'] : [s80.id, '80'];
    const filedAt = new Date(FROM.getTime() + (next() * 1.3 - 0.15) * (TO.getTime() - FROM.getTime()));
    const firstAnswerDue = new Date(filedAt.getTime() + next() * 120 * 86_400_000);
    const answered = next() < 0.7;
    cases.push({
      structureId,
      departement,
      partenaire: pick(ESCALADE_PARTNERS.slice(0, 4)),
      filedAt,
      firstAnswerDue,
      firstAnswerBh: answered ? hours() : null,
      closeBh: answered && next() < 0.6 ? hours() * 2 : null,
    });
  }
  for (const c of cases)
    await insertDossier(ctx.db, {
      structure_id: c.structureId,
      commune: c.departement === '02' ? '02691' : '80021',
      departement: c.departement,
      partenaire: c.partenaire,
      statut: c.closeBh === null ? 'nouveau' : 'clos',
      filed_at: c.filedAt,
      reminder_due: c.firstAnswerDue,
      first_answer_due: c.firstAnswerDue,
      resolution_due: c.firstAnswerDue,
      first_answer_bh: c.firstAnswerBh,
      close_bh: c.closeBh,
      updated_at: c.filedAt,
    });
}, 60_000);

afterAll(async () => {
  await closeContext(ctx);
});

const inPeriod = () => cases.filter((c) => c.filedAt >= FROM && c.filedAt < TO);

describe('escalation figures aggregated in SQL', () => {
  it('per partner × department: the same as their case-by-case definition', async () => {
    const expected = figuresOf(inPeriod(), NOW);
    expect(expected.length).toBeGreaterThan(4);
    expect(expected.some((f) => f.settled < f.cases)).toBe(true);
    const actual = await ctx.escalade.figures(national, { from: FROM, to: TO, partenaire: null });
    expect(actual).toEqual(expected);
  });

  it('of one partner only', async () => {
    const partenaire = cases[0]?.partenaire as string;
    const expected = figuresOf(
      inPeriod().filter((c) => c.partenaire === partenaire),
      NOW,
    );
    const actual = await ctx.escalade.figures(national, { from: FROM, to: TO, partenaire });
    expect(actual).toEqual(expected);
  });

  it("a dashboard's territory: per partner, then the whole territory last", async () => {
    const ofTerritory = (keep: (c: (typeof cases)[number]) => boolean) => {
      const rows = inPeriod()
        .filter(keep)
        .map((c) => ({ ...c, departement: '' }));
      return [
        ...figuresOf(rows, NOW),
        ...figuresOf(
          rows.map((r) => ({ ...r, partenaire: '' })),
          NOW,
        ),
      ];
    };
    const department = await ctx.escalade.figuresForTerritory(
      { departements: ['80'], structure: null },
      FROM,
      TO,
    );
    expect(department).toEqual(ofTerritory((c) => c.departement === '80'));
    expect(department.at(-1)?.partenaire).toBe('');
    const structure = await ctx.escalade.figuresForTerritory(
      { departements: ['02'], structure: { id: structure02 } },
      FROM,
      TO,
    );
    expect(structure).toEqual(ofTerritory((c) => c.structureId === structure02));
    expect(await ctx.escalade.figuresForTerritory({ departements: [], structure: null }, FROM, TO)).toEqual(
      [],
    );
    expect(
      await ctx.escalade.figuresForTerritory(
        { departements: ['02'], structure: null },
        new Date('2020-01-01T00:00:00Z'),
        new Date('2020-02-01T00:00:00Z'),
      ),
    ).toEqual([]);
  });
});
