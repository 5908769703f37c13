import { randomUUID } from 'node:crypto';
import type { AppContext } from '../../src/composition.js';
import { addMembership, insertUser } from '../../src/db/repositories/accounts.repository.js';
import type { Role } from '../../src/domain/accounts/roles.js';
import type { App } from '../../src/http/app.js';
import { hashPassword } from '../../src/services/accounts/auth.service.js';

/** Builders and a cookie-keeping client for account and back-office tests. */

let seq = 0;
export const PASSWORD = 'correct cheval pile agrafe';

export async function insertStructure(
  ctx: AppContext,
  o: Partial<{
    name: string;
    departement: string;
    /** The commune (INSEE code); Saint-Quentin (02691) by default. */
    codeInsee: string;
    email: string | null;
    telephone: string | null;
    createdAt: Date;
  }> = {},
): Promise<{ id: string; idFs: string; name: string }> {
  seq += 1;
  const idFs = `t-${Date.now().toString(36)}-${seq}`;
  const at = o.createdAt ?? new Date('2025-01-01T08:00:00Z');
  const row = await ctx.db
    .insertInto('structures')
    .values({
      id_fs: idFs,
      name: o.name ?? `France Services de Test ${seq}`,
      type: 'principal',
      format: 'fixe',
      group_name: null,
      address: '1 place de la Mairie',
      address_complement: null,
      code_insee: o.codeInsee ?? '02691',
      postal_code: '02100',
      commune_name: 'Saint-Quentin',
      departement: o.departement ?? '02',
      lat: 49.85,
      lon: 3.29,
      emails: o.email === undefined ? ['fs@example.fr'] : o.email ? [o.email] : [],
      telephones: o.telephone === undefined ? ['03 23 00 00 00'] : o.telephone ? [o.telephone] : [],
      hours: JSON.stringify({
        lundi: [{ start: 540, end: 720 }],
        mardi: [],
        mercredi: [],
        jeudi: [],
        vendredi: [],
        samedi: [],
        dimanche: [],
      }),
      closures: '[]',
      appointment: false,
      comment: null,
      description: null,
      partners: ['caf'],
      labelled_on: null,
      source: 'test',
      created_at: at,
      updated_at: at,
    } as never)
    .returning(['id', 'id_fs', 'name'])
    .executeTakeFirstOrThrow();
  return { id: row.id, idFs: row.id_fs, name: row.name };
}

export async function createUser(
  ctx: AppContext,
  o: {
    role: Role;
    email?: string;
    password?: string | null;
    structureIds?: string[];
    departement?: string | null;
    name?: string;
  },
) {
  seq += 1;
  const user = await insertUser(ctx.db, {
    email: o.email ?? `${o.role}.${seq}.${randomUUID().slice(0, 6)}@example.fr`,
    display_name: o.name ?? `Personne ${o.role} ${seq}`,
    role: o.role,
    departement: o.departement ?? null,
    password_hash: o.password === null ? null : await hashPassword(o.password ?? PASSWORD),
    proconnect_sub: null,
    deactivated_at: null,
    invited_by: null,
    last_login_at: null,
  });
  for (const s of o.structureIds ?? []) await addMembership(ctx.db, user.id, s);
  return user;
}

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  location: string | undefined;
}

/** Keeps cookies like a browser and remembers the last CSRF token it saw in a page. */
export class Client {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(
    readonly app: App,
    readonly ip = '192.0.2.10',
  ) {}

  private remember(res: {
    cookies: { name: string; value: string; maxAge?: number; expires?: Date }[];
    body: string;
  }) {
    for (const c of res.cookies) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const m = /name="_csrf" value="([^"]+)"/.exec(res.body);
    if (m?.[1]) this.csrf = m[1];
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<Answer> {
    const res = await this.app.inject({
      method: 'GET',
      url,
      headers: { cookie: this.cookieHeader() },
      remoteAddress: this.ip,
    });
    this.remember(res);
    return {
      status: res.statusCode,
      body: res.body,
      headers: res.headers,
      location: res.headers.location as string | undefined,
    };
  }

  /** Posts a form; the CSRF token is added unless `_csrf` is given (use `null` to omit it). */
  async post(url: string, fields: Record<string, string | string[] | null>): Promise<Answer> {
    const params = new URLSearchParams();
    const withToken = { _csrf: this.csrf, ...fields };
    for (const [k, v] of Object.entries(withToken)) {
      if (v === null) continue;
      for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    }
    const res = await this.app.inject({
      method: 'POST',
      url,
      headers: { cookie: this.cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: params.toString(),
      remoteAddress: this.ip,
    });
    this.remember(res);
    return {
      status: res.statusCode,
      body: res.body,
      headers: res.headers,
      location: res.headers.location as string | undefined,
    };
  }

  async login(email: string, password = PASSWORD): Promise<Answer> {
    await this.get('/espace/connexion');
    return this.post('/espace/connexion', { email, password });
  }
}
