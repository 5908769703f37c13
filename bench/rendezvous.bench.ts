/**
 * Rendez-vous benchmark (issue 15): the free slots of one busy structure over 8 weeks, as the public API
 * computes them (`ctx.rendezvous.publicSlots`: the structure, motifs, plages, absences and appointments read
 * from the embedded database, then the slot generation on the structure's wall clock).
 *
 * Seeded structure: 6 agents, each with plages Monday to Friday 09:00–12:00 and 13:30–17:00 (60 plages),
 * 5 motifs bookable online (15, 20, 30, 45 and 60 minutes), 8 absences, and 400 appointments already taken
 * over the 8 weeks. Baseline, same run: the motif page's reads (`structure` + `motifs`), i.e. the cheapest
 * request of the booking path. Median wall time of 40 calls each, after 5 warm-up calls; calls alternate.
 * Also measured: the previous five-query reads of one slot request (for the ratio of the change), and the
 * locator's "bookable online within 14 days" set for this structure, then with 199 more structures taking
 * appointments (one agent, one motif, ten plages each).
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
import { buildApp } from '../src/http/app.js';
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
// The reads as they were before this change (issue 15, first measure: 72 ms): structure, motif, then
// plages, absences and appointments in three queries, every column, timestamps parsed row by row.
const margin = 60 * 60_000;
const previousReads = async () => {
  const s = await ctx.rendezvous.structure(sid);
  await ctx.rendezvous.motif(s.id, (motifs[2] as { id: string }).id, { online: true });
  const to = new Date(now.getTime() + 56 * 86_400_000);
  await Promise.all([
    ctx.rendezvous.plages(sid),
    ctx.rendezvous.absences(sid, new Date(now.getTime() - margin), new Date(to.getTime() + margin)),
    ctx.db
      .selectFrom('rendezvous')
      .select(['agent_id', 'debut', 'fin'])
      .where('statut', '<>', 'annule')
      .where('debut', '<', new Date(to.getTime() + margin))
      .where('fin', '>', new Date(now.getTime() - margin))
      .where('agent_id', 'in', (eb) =>
        eb.selectFrom('rendezvous_plages').select('agent_id').where('structure_id', '=', sid),
      )
      .execute(),
  ]);
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
const setOne = () => ctx.rendezvous.computeBookableOnline();
// The whole HTTP request (routing, the same service call, ISO 8601 times with the offset, JSON), each call
// from its own address so that the rate limit stays out of the figure.
const app = await buildApp(ctx);
await app.ready();
let ip = 0;
const httpGet = async (url: string) => {
  ip += 1;
  const res = await app.inject({ url, remoteAddress: `10.0.${Math.floor(ip / 250)}.${(ip % 250) + 1}` });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
  return res;
};
const httpAll = () => httpGet(`/api/v1/structures/${sid}/creneaux`);
const httpOne = () => httpGet(`/api/v1/structures/${sid}/creneaux?motif=${(motifs[2] as { id: string }).id}`);
for (let i = 0; i < WARMUP; i++) {
  await domainOnly();
  await allMotifs();
  await oneMotif();
  await baseline();
  await previousReads();
  await setOne();
  await httpAll();
  await httpOne();
}
const t = {
  all: [] as number[],
  one: [] as number[],
  base: [] as number[],
  domain: [] as number[],
  previous: [] as number[],
  setOne: [] as number[],
  httpAll: [] as number[],
  httpOne: [] as number[],
};
for (let i = 0; i < CALLS; i++) {
  t.base.push(await time(baseline));
  t.all.push(await time(allMotifs));
  t.one.push(await time(oneMotif));
  t.domain.push(await time(domainOnly));
  t.previous.push(await time(previousReads));
  t.setOne.push(await time(setOne));
  t.httpOne.push(await time(httpOne));
  t.httpAll.push(await time(httpAll));
}
const slotsAll = (await allMotifs()).items.length;
const slotsOne = (await oneMotif()).items.length;

// The locator's filter over many structures: 199 more, each with one agent, one online motif and ten
// weekly plages (inserted directly: the figure is the set's computation, not the seeding).
const OTHERS = 199;
for (let k = 0; k < OTHERS; k++) {
  const other = await ctx.db
    .insertInto('structures')
    .values({
      id_fs: `bench-set-${k}`,
      name: `France Services ${k}`,
      type: 'principal',
      format: 'fixe',
      group_name: null,
      address: '1 rue de la Gare',
      address_complement: null,
      code_insee: '02691',
      postal_code: '02100',
      commune_name: 'Saint-Quentin',
      departement: '02',
      lat: 49.85 + k / 1000,
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
      closures: JSON.stringify([]),
      appointment: false,
      comment: null,
      description: null,
      partners: ['caf'],
      labelled_on: null,
      source: 'bench',
    } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const u = await insertUser(ctx.db, {
    email: `set${k}@bench.example`,
    display_name: `Agent ${k}`,
    role: 'agent',
    departement: null,
    password_hash: null,
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: null,
    last_login_at: null,
  });
  await ctx.db
    .insertInto('rendezvous_motifs')
    .values({
      structure_id: other.id,
      libelle: 'Démarche en ligne',
      duree_min: 30,
      canal: 'sur_place',
      partenaire: null,
      demarche: null,
      delai_min_minutes: 60,
      delai_max_jours: 56,
      reservable_en_ligne: true,
    } as never)
    .execute();
  await ctx.db
    .insertInto('rendezvous_plages')
    .values(
      ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi'].flatMap((jour) => [
        {
          structure_id: other.id,
          agent_id: u.id,
          jour,
          debut_min: 540,
          fin_min: 720,
          valide_du: null,
          valide_au: null,
          motif_ids: null,
        },
        {
          structure_id: other.id,
          agent_id: u.id,
          jour,
          debut_min: 810,
          fin_min: 1020,
          valide_du: null,
          valide_au: null,
          motif_ids: null,
        },
      ]),
    )
    .execute();
}
const setMany: number[] = [];
for (let i = 0; i < WARMUP; i++) await setOne();
for (let i = 0; i < 10; i++) setMany.push(await time(setOne));
const bookable = (await ctx.rendezvous.computeBookableOnline()).ids.size;

const m = {
  all: median(t.all),
  one: median(t.one),
  base: median(t.base),
  domain: median(t.domain),
  previous: median(t.previous),
  setOne: median(t.setOne),
  setMany: median(setMany),
  httpAll: median(t.httpAll),
  httpOne: median(t.httpOne),
};
const load = loadavg()[0]?.toFixed(1).replace('.', ',') ?? '?';
const f = (x: number) => x.toFixed(2).replace('.', ',');
const table = `Rendez-vous — free slots of one structure over 8 weeks (issue 15)

${today()} · ${machine()} · PGlite in memory · \`npm run bench:rendezvous\`

Seeded structure: 6 agents × 10 weekly plages, 5 online motifs (15–60 min), 8 absences, ${booked} appointments taken.
Median wall time of ${CALLS} calls (after ${WARMUP} warm-up calls), calls alternating. Load average during the run: ${load} on ${machine().includes('× 2 cœurs') ? '2 cores (a shared machine: the absolute figures are inflated, compare the ratios)' : 'this machine'}.

| Request | Median (ms) | × baseline | Slots returned |
| --- | ---: | ---: | ---: |
| Baseline: motif page reads (structure + motifs) | ${f(m.base)} | 1,0 | — |
| Previous reads of one request (structure, motif, plages, absences, appointments: 5 queries, all columns) | ${f(m.previous)} | ${f(m.previous / m.base)} | — |
| Slot computation alone (domain, one motif, rows in memory) | ${f(m.domain)} | ${f(m.domain / m.base)} | ${slotsOne} |
| Service call \`publicSlots\` (what \`GET /creneaux\` computes), one motif (30 min), 8 weeks | ${f(m.one)} | ${f(m.one / m.base)} | ${slotsOne} |
| Service call \`publicSlots\`, all 5 motifs, 8 weeks | ${f(m.all)} | ${f(m.all / m.base)} | ${slotsAll} |
| Whole HTTP request \`GET /api/v1/structures/:id/creneaux?motif=…\` (one motif) | ${f(m.httpOne)} | ${f(m.httpOne / m.base)} | ${slotsOne} |
| Whole HTTP request \`GET /api/v1/structures/:id/creneaux\` (all motifs) | ${f(m.httpAll)} | ${f(m.httpAll / m.base)} | ${slotsAll} |
| Locator filter: structures bookable online within 14 days, this structure only | ${f(m.setOne)} | ${f(m.setOne / m.base)} | — |
| Locator filter, ${OTHERS + 1} structures taking appointments (median of 10) | ${f(m.setMany)} | ${f(m.setMany / m.base)} | ${bookable} bookable |

\`GET /creneaux\` now reads the motifs, plages, absences and appointments in one query (\`slotInputs\`: only the columns used, instants as epoch milliseconds in one JSON value) after the structure's row: two round trips instead of five.
The locator's set is computed at most once a minute per instance (shared by concurrent searches), and again after a booking, motif, plage or absence change made through that instance.

Target: ≤ ${LIMIT_MS} ms for one structure over 8 weeks. Service call: ${m.all <= LIMIT_MS ? 'met' : 'NOT met'} for all motifs (${f(m.all)} ms), ${m.one <= LIMIT_MS ? 'met' : 'NOT met'} for one motif (${f(m.one)} ms). Whole HTTP request: ${m.httpAll <= LIMIT_MS ? 'met' : 'NOT met'} for all motifs (${f(m.httpAll)} ms), ${m.httpOne <= LIMIT_MS ? 'met' : 'NOT met'} for one motif (${f(m.httpOne)} ms).`;
process.stdout.write(`${table}\n`);
if (write) writeSection('rendezvous', table);
await app.close();
await closeContext(ctx);
