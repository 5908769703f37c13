import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { BUNDLED_SNAPSHOTS } from './services/snapshots/snapshot-files.js';

describe('loadConfig', () => {
  it('has working defaults: port 3000, embedded database under ./data, bundled snapshots, local geocoder', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      databaseUrl: null,
      refDir: BUNDLED_SNAPSHOTS,
      geocoder: 'local',
      tileUrl: null,
      seed: 'snapshot',
    });
    expect(existsSync(join(BUNDLED_SNAPSHOTS, 'communes-centroids.csv.gz'))).toBe(true);
    expect(c.dataDir).toMatch(/\/data$/);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '8080',
      MAILLAGE_DATA_DIR: '/var/lib/maillage',
      DATABASE_URL: 'postgres://u@db:5432/maillage',
      MAILLAGE_REF_DIR: '/srv/ref',
      MAILLAGE_TILE_URL: 'https://{s}.tile.example.org/{z}/{x}/{y}.png',
      MAILLAGE_GEOCODER: 'ban',
      MAILLAGE_ADMIN_TOKEN: 'a-long-enough-secret',
      MAILLAGE_SEED: 'none',
    });
    expect(c).toMatchObject({
      port: 8080,
      dataDir: '/var/lib/maillage',
      databaseUrl: 'postgres://u@db:5432/maillage',
      refDir: '/srv/ref',
      seed: 'none',
      geocoder: 'ban',
      publicUrl: 'http://localhost:8080',
    });
  });

  it('refuses bad values with a message naming the variable', () => {
    const bad: Array<[Record<string, string>, string]> = [
      [{ PORT: 'abc' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ MAILLAGE_GEOCODER: 'google' }, 'MAILLAGE_GEOCODER'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ MAILLAGE_TILE_URL: 'javascript:alert(1)' }, 'MAILLAGE_TILE_URL'],
      [{ MAILLAGE_ADMIN_TOKEN: 'short' }, 'MAILLAGE_ADMIN_TOKEN'],
      [{ MAILLAGE_SEED: 'all<script>' }, 'MAILLAGE_SEED'],
    ];
    for (const [env, variable] of bad) {
      expect(() => loadConfig(env), variable).toThrow(ConfigError);
      expect(() => loadConfig(env), variable).toThrow(new RegExp(`^${variable} :`));
    }
  });

  it('MAILLAGE_TRUST_PROXY: none by default; addresses and CIDRs, anything else refused (finding 6b)', () => {
    expect(loadConfig({}).trustProxy).toEqual([]);
    expect(loadConfig({ MAILLAGE_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1, fd00::/8' }).trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['true', '*', '10.0.0.0/33', '1.2.3', 'fd00::/129', '10.0.0.0/8/1', 'loopback']) {
      expect(() => loadConfig({ MAILLAGE_TRUST_PROXY: bad }), bad).toThrow(/^MAILLAGE_TRUST_PROXY :/);
    }
  });

  it('MAILLAGE_REF_URL_<SOURCE>: one producer URL replaced for ref sync; an unknown source or a bad URL refused', () => {
    expect(loadConfig({}).refSourceUrls).toEqual({});
    expect(
      loadConfig({ MAILLAGE_REF_URL_COG_COMMUNES: 'https://miroir.example/cog/v_commune_2026.csv' })
        .refSourceUrls,
    ).toEqual({ MAILLAGE_REF_URL_COG_COMMUNES: 'https://miroir.example/cog/v_commune_2026.csv' });
    expect(() => loadConfig({ MAILLAGE_REF_URL_COMMUNES: 'https://x.example/' })).toThrow(
      /^MAILLAGE_REF_URL_COMMUNES : variable inconnue ; variables possibles : MAILLAGE_REF_URL_GEO_COMMUNES/,
    );
    expect(() => loadConfig({ MAILLAGE_REF_URL_ZRR: 'file:///etc/passwd' })).toThrow(
      /^MAILLAGE_REF_URL_ZRR :/,
    );
  });
});
