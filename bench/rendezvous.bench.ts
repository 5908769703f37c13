/**
 * Rendez-vous benchmark (issue 15): the free slots of one busy structure over 8 weeks, as the public API
 * computes them (`ctx.rendezvous.publicSlots`: the structure, motifs, plages, absences and appointments read
 * from the embedded database, then the slot generation on the structure's wall clock).
 *
 * Seeded structure: 6 agents, each with plages Monday to Friday 09:00–12:00 and 13:30–17:00 (60 plages),
 * 5 motifs bookable online (15, 20, 30, 45 and 60 minutes), 8 absences, and 400 appointments already taken
 * over the 8 weeks. Baseline, same run: the motif page's reads (`structure` + `motifs`), i.e. the cheapest
 * request of the booking path. Median wall time of 40 calls each, after 5 warm-up calls; calls alternate.
 *
 *   npm run bench:rendezvous [-- --write]
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { closeContext, openContext } from '../src/composition.js';
import { loadConfig } from '../src/config.js';
import { openPglite } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrations/index.js';
import { addMembership, insertUser } from '../src/db/repositories/accounts.repository.js';
import type { Principal } from '../src/domain/accounts/roles.js';
import { freeSlots } from '../src/domain/rendezvous/index.js';
import { loadGeography } from '../src/services/geography/load-geography.js';
import { calendarOf } from '../src/services/rendezvous/rendezvous.service.js';
import { machine, seeded, today, writeSection } from './report.js';

const CALLS = 40;
const WARMUP = 5;
const LIMIT_MS = 20;
const write = process.argv.includes('--write');

const database = await openPglite(null);
await migrateToLatest(database.db);
const now = new Date('2026-11-24T08:00:00Z');
const ctx = await openContext(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), {
  database,
  geography: loadGeography(null),
  clock: { now: () => now },
});

const day = [
  { start: 540, end: 720 },
  { start: 810, end: 1020 },
];
const structure = await ctx.db
  .insertInto('structures')
  .values({
    id_fs: 'bench-1',
    name: 'France Services de banc d’essai',
    type: 'principal',
    format: 'fixe',
    group_name: null,
    address: '1 place de la Mairie',
    address_complement: null,
    code_insee: '02691',
    postal_code: '02100',
    commune_name: 'Saint-Quentin',
    departement: '02',
    lat: 49.85,
    lon: 3.29,
    emails: [],
    telephones: [],
    hours: JSON.stringify({
      lundi: day,
      mardi: day,
      mercredi: day,
      jeudi: day,
      vendredi: day,
      samedi: [],
      dimanche: [],
    }),
    closures: JSON.stringify([{ from: '2026-12-24', to: '2026-12-24', message: 'Fermeture exceptionnelle' }]),
    appointment: true,
    comment: null,
    description: null,
    partners: ['caf'],
    labelled_on: null,
    source: 'bench',
  } as never)
  .returning('id')
  .executeTakeFirstOrThrow();
const sid = structure.id;

const agents: string[] = [];
for (let i = 0; i < 7; i++) {
  const u = await insertUser(ctx.db, {
    email: `agent${i}@bench.example`,
    display_name: `Agent ${i}`,
    role: i === 0 ? 'responsable' : 'agent',
    departement: null,
    password_hash: null,
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: null,
    last_login_at: null,
  });
  await addMembership(ctx.db, u.id, sid);
  if (i > 0) agents.push(u.id);
}
const manager: Principal = {
  id: (
    await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'agent0@bench.example')
      .executeTakeFirstOrThrow()
  ).id,
  role: 'responsable',
  structureIds: [sid],
  departement: null,
};

const motifs: Array<{ id: string }> = [];
for (const [label, durationMin] of [
  ['Démarche en ligne', 15],
  ['Impôts', 20],
  ['CAF', 30],
  ['Retraite', 45],
  ['Visio France Travail', 60],
] as const) {
  motifs.push(
    await ctx.rendezvous.createMotif(manager, sid, {
      label,
      durationMin,
      channel: durationMin === 60 ? 'visio' : 'sur_place',
      partner: durationMin === 60 ? 'france_travail' : '',
      minNoticeMin: 60,
      maxNoticeDays: 60,
      bookableOnline: true,
    }),
  );
}
for (const agent of agents) {
  for (const weekday of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi']) {
    await ctx.rendezvous.addPlage(manager, sid, agent, { weekday, start: '09:00', end: '12:00' });
    await ctx.rendezvous.addPlage(manager, sid, agent, { weekday, start: '13:30', end: '17:00' });
  }
}
const random = seeded(20261215);
for (let i = 0; i < 8; i++) {
  const agent = agents[i % agents.length] as string;
  const d = `2026-12-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  await ctx.rendezvous.addAbsence(manager, sid, agent, {
    from: `${d}T09:00`,
    to: `${d}T12:00`,
    label: 'formation',
  });
}
// 400 appointments: random free slots of random motifs, booked as agents would (through the constraint).
let booked = 0;
for (const motif of motifs) {
  const free = (await ctx.rendezvous.publicSlots(sid, { motif: motif.id })).items;
  for (let k = 0; k < 80 && free.length > 0; k++) {
    const slot = free.splice(Math.floor(random() * free.length), 1)[0];
    if (!slot) break;
    try {
      await ctx.rendezvous.book(
        {
          structureId: sid,
          motifId: motif.id,
          start: slot.start.toISOString(),
          name: `Personne ${booked}`,
          phone: '06 12 34 56 78',
        },
        { principal: manager },
      );
      booked += 1;
    } catch {
      // taken by an overlapping booking of another motif: skip
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
const allMotifs = () => ctx.rendezvous.publicSlots(sid, {});
const oneMotif = () => ctx.rendezvous.publicSlots(sid, { motif: (motifs[2] as { id: string }).id });
const baseline = async () => {
  const s = await ctx.rendezvous.structure(sid);
  return ctx.rendezvous.motifs(s.id, { onlineOnly: true });
};
// The slot computation alone (pure domain), on the same rows, for the one-motif request.
const s0 = await ctx.rendezvous.structure(sid);
const m0 = (await ctx.rendezvous.motifs(sid)).find((x) => x.id === (motifs[2] as { id: string }).id);
const plages0 = await ctx.rendezvous.plages(sid);
const absences0 = await ctx.rendezvous.absences(sid, now, new Date(now.getTime() + 60 * 86_400_000));
const busy0 = (
  await ctx.db
    .selectFrom('rendezvous')
    .select(['agent_id', 'debut', 'fin'])
    .where('statut', '<>', 'annule')
    .execute()
).map((b) => ({
  agentId: b.agent_id,
  start: new Date(b.debut),
  end: new Date(b.fin),
}));
const domainOnly = async () =>
  freeSlots({
    calendar: calendarOf(s0),
    motif: m0 as NonNullable<typeof m0>,
    plages: plages0,
    absences: absences0,
    busy: busy0,
    from: now,
    to: new Date(now.getTime() + 56 * 86_400_000),
    now,
  });
for (let i = 0; i < WARMUP; i++) {
  await domainOnly();
  await allMotifs();
  await oneMotif();
  await baseline();
}
const t = { all: [] as number[], one: [] as number[], base: [] as number[], domain: [] as number[] };
for (let i = 0; i < CALLS; i++) {
  t.base.push(await time(baseline));
  t.all.push(await time(allMotifs));
  t.one.push(await time(oneMotif));
  t.domain.push(await time(domainOnly));
}
const slotsAll = (await allMotifs()).items.length;
const slotsOne = (await oneMotif()).items.length;
const m = { all: median(t.all), one: median(t.one), base: median(t.base), domain: median(t.domain) };
const load = loadavg()[0]?.toFixed(1).replace('.', ',') ?? '?';
const f = (x: number) => x.toFixed(2).replace('.', ',');
const table = `Rendez-vous — free slots of one structure over 8 weeks (issue 15)

${today()} · ${machine()} · PGlite in memory · \`npm run bench:rendezvous\`

Seeded structure: 6 agents × 10 weekly plages, 5 online motifs (15–60 min), 8 absences, ${booked} appointments taken.
Median wall time of ${CALLS} calls (after ${WARMUP} warm-up calls), calls alternating. Load average during the run: ${load} on ${machine().includes('× 2 cœurs') ? '2 cores (a shared machine: the absolute figures are inflated, compare the ratios)' : 'this machine'}.

| Request | Median (ms) | × baseline | Slots returned |
| --- | ---: | ---: | ---: |
| Baseline: motif page reads (structure + motifs) | ${f(m.base)} | 1,0 | — |
| Slot computation alone (domain, one motif, rows in memory) | ${f(m.domain)} | ${f(m.domain / m.base)} | ${slotsOne} |
| \`GET /creneaux\`, one motif (30 min), 8 weeks | ${f(m.one)} | ${f(m.one / m.base)} | ${slotsOne} |
| \`GET /creneaux\`, all 5 motifs, 8 weeks | ${f(m.all)} | ${f(m.all / m.base)} | ${slotsAll} |

Target: ≤ ${LIMIT_MS} ms for one structure over 8 weeks — ${m.all <= LIMIT_MS ? 'met' : 'NOT met'} for all motifs (${f(m.all)} ms), ${m.one <= LIMIT_MS ? 'met' : 'NOT met'} for one motif (${f(m.one)} ms).`;
process.stdout.write(`${table}\n`);
if (write) writeSection('rendezvous', table);
await closeContext(ctx);
