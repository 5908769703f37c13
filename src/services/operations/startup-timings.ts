/**
 * The server's start-up phases in milliseconds (issue 16, item 3), logged once it listens, so that an
 * operator or `npm run bench:startup` sees where the time goes. `modules` is the time from the process's
 * start to the first line of the entry module: Node itself and the loading of every imported module.
 */
export class StartupTimings {
  readonly #phases: Record<string, number> = {};
  #last: number;

  constructor() {
    this.#last = performance.now();
    this.#phases.modules = Math.round(this.#last);
  }

  /** Records the time since the previous mark (or since construction) under `phase`. */
  mark(phase: string): void {
    const now = performance.now();
    this.#phases[phase] = Math.round(now - this.#last);
    this.#last = now;
  }

  /** Times one piece of work on its own, for work that overlaps others (the database opens during the geography). */
  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.#phases[phase] = Math.round(performance.now() - start);
    }
  }

  timeSync<T>(phase: string, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.#phases[phase] = Math.round(performance.now() - start);
    }
  }

  /** The phases, plus `total`: milliseconds since the process started. */
  summary(): Record<string, number> {
    return { ...this.#phases, total: Math.round(performance.now()) };
  }
}
