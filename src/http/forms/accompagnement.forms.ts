import { Type } from '@fastify/type-provider-typebox';

/** An optional text of at most `max` characters: forms post text, checked by the domain afterwards. */
export const Text = (max: number) => Type.Optional(Type.String({ maxLength: max }));

/**
 * The accompaniment form's fields, every one a bounded text checked by the record's constructor. Shared by
 * the counter form, its correction, and the handling of a call-back request (which adds `version`).
 */
export const COUNTER_FIELDS = {
  _csrf: Text(200),
  id: Text(64),
  choix: Text(140),
  partenaire: Text(40),
  demarche: Text(64),
  canal: Text(40),
  duree_min: Text(12),
  resultat: Text(40),
  heure: Text(8),
  tranche_age: Text(40),
  commune_usager: Text(10),
  premiere_visite: Text(5),
  autonomie: Text(40),
  note: Text(2000),
};
export const CounterBody = Type.Object(COUNTER_FIELDS);
