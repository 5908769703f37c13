import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | null, string | null>;

export interface RendezvousMotifsTable {
  id: Generated<string>;
  structure_id: string;
  libelle: string;
  duree_min: number;
  canal: string;
  partenaire: string | null;
  /** The accompaniment catalogue's démarche, to pre-fill the record of an attended appointment. */
  demarche: string | null;
  delai_min_minutes: number;
  delai_max_jours: number;
  reservable_en_ligne: boolean;
  actif: Generated<boolean>;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RendezvousPlagesTable {
  id: Generated<string>;
  structure_id: string;
  agent_id: string;
  jour: string;
  debut_min: number;
  fin_min: number;
  valide_du: string | null;
  valide_au: string | null;
  motif_ids: Json<string[] | null>;
  created_at: Timestamp;
}

export interface RendezvousAbsencesTable {
  id: Generated<string>;
  structure_id: string;
  agent_id: string;
  debut: Timestamp;
  fin: Timestamp;
  libelle: string | null;
  created_at: Timestamp;
}

export interface RendezvousTable {
  id: Generated<string>;
  structure_id: string;
  motif_id: string;
  agent_id: string;
  debut: Timestamp;
  fin: Timestamp;
  statut: Generated<string>;
  nom: string | null;
  courriel: string | null;
  telephone: string | null;
  contact_efface_at: Date | null;
  /** sha256 of the person's cancel/move token; null once erased. */
  jeton_hash: string | null;
  origine: string;
  cree_par: string | null;
  version: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** One row per 5-minute unit of an agent's time taken by a booking: the no-double-booking constraint. */
export interface RendezvousOccupationsTable {
  agent_id: string;
  unit_start: Timestamp;
  rendezvous_id: string;
}

export interface RendezvousRappelsTable {
  rendezvous_id: string;
  canal: string;
  envoye_at: Timestamp;
  resultat: string;
}

export interface RendezvousFluxTable {
  id: Generated<string>;
  agent_id: string;
  jeton_hash: string;
  created_at: Timestamp;
  revoked_at: Date | null;
}

export interface RendezvousTables {
  rendezvous_motifs: RendezvousMotifsTable;
  rendezvous_plages: RendezvousPlagesTable;
  rendezvous_absences: RendezvousAbsencesTable;
  rendezvous: RendezvousTable;
  rendezvous_occupations: RendezvousOccupationsTable;
  rendezvous_rappels: RendezvousRappelsTable;
  rendezvous_flux: RendezvousFluxTable;
}
