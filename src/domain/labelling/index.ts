/** Labellisation: the référentiel, campaigns, applications and their state machine, pre-checks, audits, documents. */
export * from './application.js';
export * from './audit.js';
export * from './campaign.js';
export * from './content.js';
export * from './documents.js';
export * from './prechecks.js';
export * from './referentiel.js';
export { REFERENTIEL_2025_06 } from './referentiel-2025.js';
