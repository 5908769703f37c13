import { createHash } from 'node:crypto';
import { readDataFile } from '../snapshots/data-file.js';

// Department outlines for the map without tiles (moved from public-pages.routes.ts): read once from the
// reference folder (departements.geojson, or the bundled .gz snapshot), simplified to about 1 km, kept in
// memory per department; a map asks only for the departments it shows.

const DEPARTEMENT = /^(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-8]|98[4-9])$/;

/** A map shows a few departments: more than this in one request is refused. */
const MAX_OUTLINE_DEPARTEMENTS = 20;

/** `dep=02,80` → ['02', '80']; absent → null (all); anything else → a French message. */
export function parseDepartementList(
  raw: string | undefined,
): { codes: readonly string[] | null } | { message: string } {
  if (raw === undefined || raw.trim() === '') return { codes: null };
  const codes = [...new Set(raw.split(',').map((c) => c.trim().toUpperCase()))];
  if (codes.length > MAX_OUTLINE_DEPARTEMENTS) {
    return { message: `Trop de départements demandés : ${MAX_OUTLINE_DEPARTEMENTS} au plus.` };
  }
  const bad = codes.find((c) => !DEPARTEMENT.test(c));
  if (bad !== undefined) {
    return {
      message:
        'Code de département invalide : des codes comme 02, 2A ou 974, séparés par des virgules, sont attendus.',
    };
  }
  return { codes: codes.sort() };
}

type Ring = number[][];

/** Keeps points at least `step` degrees apart (about 1 km), rounded to 4 decimals; rings keep ≥ 4 points. */
function simplifyRing(ring: Ring, step = 0.01): Ring {
  const round = (p: number[]) => [Math.round((p[0] ?? 0) * 1e4) / 1e4, Math.round((p[1] ?? 0) * 1e4) / 1e4];
  const out: Ring = [];
  for (const p of ring.slice(0, -1)) {
    const last = out[out.length - 1];
    if (!last || Math.hypot((p[0] ?? 0) - (last[0] ?? 0), (p[1] ?? 0) - (last[1] ?? 0)) >= step)
      out.push(round(p));
  }
  const end = ring[ring.length - 1];
  if (end) out.push(round(end));
  return out.length >= 4 ? out : ring.map(round);
}

/** Each department's simplified Feature, as JSON text, by code. */
export type OutlineSet = ReadonlyMap<string, string>;

export async function loadOutlines(refDir: string | null): Promise<OutlineSet | null> {
  if (!refDir) return null;
  try {
    // The plain file or the bundled gzip snapshot (departements.geojson.gz).
    const file = await readDataFile(refDir, 'departements.geojson');
    if (!file) return null;
    return simplifiedOutlines(JSON.parse(file.text));
  } catch {
    return null; // an unreadable file: the map shows the points alone
  }
}

function simplifiedOutlines(data: {
  features: Array<{ properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }>;
}): OutlineSet {
  const set = new Map<string, string>();
  for (const f of data.features) {
    const g = f.geometry;
    const coordinates =
      g.type === 'Polygon'
        ? (g.coordinates as Ring[]).map((r) => simplifyRing(r))
        : g.type === 'MultiPolygon'
          ? (g.coordinates as Ring[][]).map((poly) => poly.map((r) => simplifyRing(r)))
          : g.coordinates;
    const code = String(f.properties.insee_dep);
    set.set(
      code,
      JSON.stringify({
        type: 'Feature',
        properties: { code, nom: f.properties.lib_dep },
        geometry: { type: g.type, coordinates },
      }),
    );
  }
  return set;
}

export function outlinesBody(
  set: OutlineSet,
  codes: readonly string[] | null,
): { body: string; etag: string } {
  const features = codes === null ? [...set.values()] : codes.flatMap((c) => set.get(c) ?? []);
  const body = `{"type":"FeatureCollection","features":[${features.join(',')}]}`;
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}
