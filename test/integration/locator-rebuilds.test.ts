import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/composition.js';
import { closeContext } from '../../src/composition.js';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { LocatorService } from '../../src/services/directory/locator.service.js';
import { buildTestContext } from '../support/app.js';
import { aStructure } from '../support/structures.js';

/** Counts the full listings of the directory (what an index rebuild reads), and how many ran at once. */
class ListingCounter implements KyselyPlugin {
  listings = 0;
  running = 0;
  maxRunning = 0;
  private readonly open = new Set<unknown>();
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const text = JSON.stringify(args.node);
    if (
      args.node.kind === 'SelectQueryNode' &&
      text.includes('"structures"') &&
      text.includes('SelectAllNode')
    ) {
      this.listings++;
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      this.open.add(args.queryId);
    }
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.open.delete(args.queryId)) this.running--;
    return args.result;
  }
}

describe('locator index rebuilds under back-office edits (found by the soak proof of issue 9)', () => {
  let ctx: AppContext;
  beforeAll(async () => {
    ctx = await buildTestContext();
    await insertStructures(ctx.db, [
      aStructure({ idFs: 'NEAR', lat: 49.9, lon: 3.63 }),
      aStructure({ idFs: 'FAR', lat: 43.6, lon: 1.44 }),
    ]);
  });
  afterAll(async () => ctx && closeContext(ctx));

  it('edits in a loop interleaved with queries share one rebuild instead of one each, all at once', async () => {
    const counter = new ListingCounter();
    const locator = new LocatorService(ctx.db.withPlugin(counter), ctx.clock);
    await locator.nearest({ lat: 49.9, lon: 3.63, limit: 1 });
    const before = counter.listings;
    const answers: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      locator.invalidate(); // what each back-office edit does
      answers.push(locator.nearest({ lat: 49.9, lon: 3.63, limit: 1 }));
    }
    await Promise.all(answers);
    // Before the fix: 20 listings, all running together on the database.
    expect(counter.listings - before).toBeLessThanOrEqual(2);
    expect(counter.maxRunning).toBe(1);
  });

  it('a query after an edit still sees the edit at once, even with a rebuild under way', async () => {
    const locator = new LocatorService(ctx.db, ctx.clock);
    const first = await locator.nearest({ lat: 43.6, lon: 1.44, limit: 1 });
    expect(first[0]?.structure.idFs).toBe('FAR');
    // A rebuild starts (stale index forced), then the directory changes and the instance is told.
    locator.invalidate();
    const during = locator.nearest({ lat: 43.6, lon: 1.44, limit: 1 });
    await ctx.db
      .updateTable('structures')
      .set({ lat: 49.91, updated_at: new Date() })
      .where('id_fs', '=', 'FAR')
      .execute();
    locator.invalidate();
    const after = await locator.nearest({ lat: 43.6, lon: 1.44, limit: 2 });
    await during;
    const far = after.find((i) => i.structure.idFs === 'FAR');
    expect(far?.structure.lat).toBe(49.91);
  });
});
