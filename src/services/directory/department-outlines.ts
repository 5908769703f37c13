import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

// Department outlines for the map without tiles (moved from public-pages.routes.ts): read once from
// MAILLAGE_REF_DIR/departements.geojson, simplified to about 1 km, served from memory with an ETag.

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

export async function loadOutlines(refDir: string | null): Promise<{ body: string; etag: string } | null> {
  const file = refDir ? join(refDir, 'departements.geojson') : null;
  if (!file || !existsSync(file)) return null;
  try {
    return outlinesBody(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return null; // an unreadable file: the map shows the points alone
  }
}

function outlinesBody(data: {
  features: Array<{ properties: Record<string, unknown>; geometry: { type: string; coordinates: unknown } }>;
}): { body: string; etag: string } {
  const features = data.features.map((f) => {
    const g = f.geometry;
    const coordinates =
      g.type === 'Polygon'
        ? (g.coordinates as Ring[]).map((r) => simplifyRing(r))
        : g.type === 'MultiPolygon'
          ? (g.coordinates as Ring[][]).map((poly) => poly.map((r) => simplifyRing(r)))
          : g.coordinates;
    return {
      type: 'Feature',
      properties: { code: f.properties.insee_dep, nom: f.properties.lib_dep },
      geometry: { type: g.type, coordinates },
    };
  });
  const body = JSON.stringify({ type: 'FeatureCollection', features });
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}
