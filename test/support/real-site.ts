import type { CDPSession, Page } from 'playwright-core';
import { type AppContext, closeContext } from '../../src/composition.js';
import { importStructures } from '../../src/services/directory/import.service.js';
import { loadGeography } from '../../src/services/geography/load-geography.js';
import { buildTestContext, REAL_DATA, readRealText } from './app.js';
import { serve } from './browser.js';

export interface RealSite {
  readonly ctx: AppContext;
  readonly url: string;
  close(): Promise<void>;
}

/** The real 2024 list and the reference folder (../shared/data, or the bundled snapshots), served on a loopback port. */
export async function startRealSite(now = '2026-11-24T09:30:00Z'): Promise<RealSite> {
  const geography = loadGeography(REAL_DATA);
  const ctx = await buildTestContext({ now, geography, config: { refDir: REAL_DATA } });
  await importStructures(
    { db: ctx.db, communes: geography.communes },
    Buffer.from(readRealText('france-services-2024-08.csv'), 'utf8'),
    {
      source: 'france-services-2024-08.csv',
    },
  );
  const server = await serve(ctx);
  return {
    ctx,
    url: server.url,
    close: async () => {
      await server.close();
      await closeContext(ctx);
    },
  };
}

export interface Transfer {
  /** Bytes on the wire (headers and compressed bodies), as Chromium counts them. */
  readonly bytes: number;
  readonly requests: number;
  readonly byUrl: ReadonlyArray<{ url: string; bytes: number }>;
}

/** Counts what a page transfers while `visit` runs: Network.loadingFinished's encodedDataLength, per request. */
export async function measureTransfer(page: Page, visit: () => Promise<unknown>): Promise<Transfer> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map<string, string>();
  const sizes = new Map<string, number>();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
  cdp.on('Network.loadingFinished', (e) => sizes.set(e.requestId, e.encodedDataLength));
  await visit();
  await cdp.detach();
  const byUrl = [...sizes].map(([id, bytes]) => ({ url: urls.get(id) ?? id, bytes }));
  return { bytes: byUrl.reduce((a, r) => a + r.bytes, 0), requests: byUrl.length, byUrl };
}
