/**
 * What the person is told before their case is handed to a partner (issue 13). The agent reads it to them
 * (or shows it) and attests their agreement; the version is stored with the case, so a later change of the
 * text is traceable. The retention below is the one `cases purge` applies (retention.ts).
 */
export const CONSENT_VERSION = '2026-12-v1';

export const CONSENT_TEXT = {
  title: 'Information de la personne avant transmission',
  collected:
    'Ses nom, prénom et date de naissance, et, si cela aide, la référence de son dossier chez le partenaire (jamais son numéro de sécurité sociale), ainsi que la description de sa situation et les pièces utiles.',
  why: 'Pour que le référent du partenaire retrouve son dossier et le débloque. Seuls l’agent de la France Services et les référents de ce partenaire pour le département y ont accès.',
  retention:
    'Ces informations sont effacées six mois après la clôture du dossier. Seules des durées et des codes (partenaire, département, délais) sont gardés pour les statistiques, sans aucune donnée personnelle.',
  rights:
    'La personne peut demander à tout moment à consulter, corriger ou effacer ces informations auprès de la France Services.',
} as const;
