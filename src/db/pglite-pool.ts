import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Kysely's own PostgresDialect over PGlite.
 *
 * PGlite is one connection. If two requests used it at once, their statements would interleave
 * inside each other's transactions. So this pool hands the connection to one holder at a time:
 * `connect()` waits, in order, until the previous holder calls `release()`.
 */
export class PGlitePool implements PostgresPool {
  #held = false;
  readonly #waiting: Array<(client: PostgresPoolClient) => void> = [];
  readonly #client: PostgresPoolClient;
  #ended = false;
  /** Read by Kysely for query cancellation, which a single in-process connection does not offer. */
  readonly options = {};

  constructor(private readonly pglite: PGlite) {
    this.#client = {
      query: (async (sql: string, parameters: ReadonlyArray<unknown>) =>
        this.#query(sql, parameters)) as never,
      release: () => this.#release(),
    };
  }

  connect(): Promise<PostgresPoolClient> {
    if (this.#ended) return Promise.reject(new Error('La base de données est fermée.'));
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#client);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async end(): Promise<void> {
    this.#ended = true;
    if (!this.pglite.closed) await this.pglite.close();
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next(this.#client);
    else this.#held = false;
  }

  async #query(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<unknown>> {
    const result = await this.pglite.query(sql, parameters as unknown[], { rowMode: 'object' });
    return {
      command: commandOf(sql),
      rowCount: result.affectedRows ?? result.rows.length,
      rows: result.rows,
    };
  }
}

/** Kysely reads `command` to report affected rows; PGlite does not give it, so read it from the statement. */
function commandOf(sql: string): PostgresQueryResult<unknown>['command'] {
  const head = sql.trimStart().slice(0, 12).toLowerCase();
  if (head.startsWith('insert')) return 'INSERT';
  if (head.startsWith('update')) return 'UPDATE';
  if (head.startsWith('delete')) return 'DELETE';
  if (head.startsWith('merge')) return 'MERGE';
  if (head.startsWith('with')) {
    // A data-modifying CTE: the main statement follows the last closing parenthesis.
    const tail = sql
      .slice(sql.lastIndexOf(')') + 1)
      .trimStart()
      .toLowerCase();
    if (tail.startsWith('insert')) return 'INSERT';
    if (tail.startsWith('update')) return 'UPDATE';
    if (tail.startsWith('delete')) return 'DELETE';
  }
  return 'SELECT';
}
