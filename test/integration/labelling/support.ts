import type { Db } from '../../../src/db/database.js';
import { addMembership } from '../../../src/db/repositories/accounts.repository.js';
import { insertStructures } from '../../../src/db/repositories/directory.repository.js';
import type { Principal, Role } from '../../../src/domain/accounts/index.js';
import { aStructure } from '../../support/structures.js';

/** Test builders for labellisation: users of each role, and a complete application content. */
export async function makeUser(
  db: Db,
  role: Role,
  departement: string | null = null,
  name = role,
): Promise<Principal> {
  const row = await db
    .insertInto('users')
    .values({
      email: `${name}.${Math.random().toString(36).slice(2, 8)}@exemple.fr`,
      display_name: name,
      role,
      departement,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, role, structureIds: [], departement };
}

/**
 * A structure in the directory (Guise, Aisne, by default) and, when given, the user becomes its member: a
 * responsable files labelling applications only in the department of one of their structures (finding 2).
 */
export async function makeStructure(
  db: Db,
  over: Parameters<typeof aStructure>[0] = {},
  member?: Principal,
): Promise<{ id: string; principal: Principal | undefined }> {
  const s = aStructure(over);
  await insertStructures(db, [s]);
  const { id } = await db
    .selectFrom('structures')
    .select('id')
    .where('id_fs', '=', s.idFs)
    .executeTakeFirstOrThrow();
  if (!member) return { id, principal: undefined };
  await addMembership(db, member.id, id);
  return { id, principal: { ...member, structureIds: [...member.structureIds, id] } };
}

/** A responsable member of a new structure in `departement`. */
export async function makeResponsable(db: Db, departement = '02'): Promise<Principal> {
  const user = await makeUser(db, 'responsable');
  return (await makeStructure(db, { departement }, user)).principal as Principal;
}

export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
export const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, ...new Array(200).fill(0)]);
export const DOCUMENT_CODES = ['LOC-02', 'LOC-04', 'PAR-03', 'QUA-01', 'QUA-03'];

export const completeContent = (over: Record<string, unknown> = {}) => ({
  porteurKind: 'commune',
  porteurName: 'Commune de Guise',
  structureName: 'France Services de Guise',
  format: 'fixe',
  address: '1 place de l’Hôtel de ville',
  codeInsee: '02361',
  postalCode: '02120',
  communeName: 'Guise',
  lat: 49.9,
  lon: 3.63,
  email: 'franceservices@guise.fr',
  telephone: '03 23 00 00 00',
  hours: {
    lundi: '09:00 - 12:00 / 13:30 - 17:00',
    mardi: '09:00 - 12:00 / 13:30 - 17:00',
    mercredi: '09:00 - 12:00',
    jeudi: '09:00 - 12:00 / 13:30 - 17:00',
    vendredi: '09:00 - 12:00 / 13:30 - 17:00',
  },
  agents: [
    { name: 'Anne Martin', trainedOn: '2026-01-12' },
    { name: 'Bruno Petit', trainedOn: '2026-02-02' },
  ],
  partners: [
    'caf',
    'assurance_maladie',
    'assurance_retraite',
    'france_travail',
    'la_poste',
    'dgfip',
    'ants',
    'justice',
    'msa',
  ],
  referents: {
    caf: 'M. Caf',
    assurance_maladie: 'Mme Cpam',
    assurance_retraite: 'M. Carsat',
    france_travail: 'Mme FT',
    la_poste: 'M. Poste',
    dgfip: 'Mme DGFiP',
    ants: 'M. ANTS',
    justice: 'Mme Justice',
    msa: 'M. MSA',
  },
  ...over,
});
