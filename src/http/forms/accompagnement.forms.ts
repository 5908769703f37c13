import { Type } from '@fastify/type-provider-typebox';
import { optionalText } from './fields.js';

/**
 * The accompaniment form's fields, every one a bounded text checked by the record's constructor. Shared by
 * the counter form, its correction, and the handling of a call-back request (which adds `version`).
 */
export const COUNTER_FIELDS = {
  _csrf: optionalText(200),
  id: optionalText(64),
  choix: optionalText(140),
  partenaire: optionalText(40),
  demarche: optionalText(64),
  canal: optionalText(40),
  duree_min: optionalText(12),
  resultat: optionalText(40),
  heure: optionalText(8),
  tranche_age: optionalText(40),
  commune_usager: optionalText(10),
  premiere_visite: optionalText(5),
  autonomie: optionalText(40),
  note: optionalText(2000),
};
export const CounterBody = Type.Object(COUNTER_FIELDS);
