import type { ReferentielData } from './referentiel.js';

/**
 * Référentiel France Services, version 2025-06 — first version shipped with Maillage.
 *
 * Source: « Charte nationale d'engagement France Services » and its annexed référentiel of
 * labellisation, as updated by arrêté in June 2025 (programme France Services, Agence nationale de la
 * cohésion des territoires — ANCT), building on the circulaire n° 6094/SG of 1 July 2019 that created
 * the label and on the 2019 charte.
 *
 * ⚠ This list was written from the public descriptions of the charte (two trained agents present,
 * opening of at least 24 hours over 5 days, the national partners with named référents, confidential
 * reception, free self-service digital equipment, quality follow-up, buses held to the same mandatory
 * criteria). It MUST be checked, code by code and wording by wording, against the official text
 * published with the June 2025 arrêté before it is used for a real campaign. The national team then
 * publishes the corrected list as a new version; campaigns already open keep this one.
 */
export const REFERENTIEL_2025_06: ReferentielData = {
  version: '2025-06',
  title: 'Référentiel France Services (charte nationale d’engagement, arrêté de juin 2025)',
  source:
    'Charte nationale d’engagement France Services et référentiel de labellisation, mis à jour par arrêté en juin 2025 (ANCT). Transcription à vérifier contre le texte officiel.',
  criteria: [
    // Accueil
    {
      code: 'ACC-01',
      category: 'accueil',
      mandatory: true,
      check: 'on_site',
      title: 'Accueil physique de tout public, sans rendez-vous, pendant les heures d’ouverture',
    },
    {
      code: 'ACC-02',
      category: 'accueil',
      mandatory: true,
      check: 'on_site',
      title: 'Accueil téléphonique et adresse électronique de contact joignables',
    },
    {
      code: 'ACC-03',
      category: 'accueil',
      mandatory: true,
      check: 'on_site',
      title: 'Signalétique France Services (marque, logo) visible depuis l’espace public',
    },
    {
      code: 'ACC-04',
      category: 'accueil',
      mandatory: true,
      check: 'on_site',
      title: 'Affichage des horaires et des services proposés à l’entrée',
    },
    {
      code: 'ACC-05',
      category: 'accueil',
      mandatory: false,
      check: 'on_site',
      title: 'Prise de rendez-vous possible avec un agent ou un partenaire',
    },
    // Personnel
    {
      code: 'PER-01',
      category: 'personnel',
      mandatory: true,
      check: 'automatic',
      title: 'Au moins deux agents France Services déclarés',
    },
    {
      code: 'PER-02',
      category: 'personnel',
      mandatory: true,
      check: 'automatic',
      title: 'Agents formés : formation initiale France Services suivie (dates déclarées)',
    },
    {
      code: 'PER-03',
      category: 'personnel',
      mandatory: true,
      check: 'on_site',
      title: 'Deux agents présents simultanément pendant les heures d’ouverture',
    },
    {
      code: 'PER-04',
      category: 'personnel',
      mandatory: false,
      check: 'document',
      title: 'Plan de formation continue des agents',
    },
    // Ouverture
    {
      code: 'OUV-01',
      category: 'ouverture',
      mandatory: true,
      check: 'automatic',
      title: 'Ouverture d’au moins 24 heures par semaine',
    },
    {
      code: 'OUV-02',
      category: 'ouverture',
      mandatory: true,
      check: 'automatic',
      title: 'Ouverture sur au moins 5 jours par semaine',
    },
    {
      code: 'OUV-03',
      category: 'ouverture',
      mandatory: false,
      check: 'on_site',
      title: 'Horaires adaptés aux besoins (ouverture en fin de journée ou le samedi)',
    },
    {
      code: 'OUV-04',
      category: 'ouverture',
      mandatory: true,
      check: 'automatic',
      onlyFor: 'mobile',
      title: 'Itinérance (bus) : points d’arrêt déclarés et calendrier de passage publié',
    },
    // Locaux et confidentialité
    {
      code: 'LOC-01',
      category: 'locaux et confidentialité',
      mandatory: true,
      check: 'on_site',
      title: 'Espace d’accueil confidentiel (bureau fermé ou espace isolé) pour les entretiens',
    },
    {
      code: 'LOC-02',
      category: 'locaux et confidentialité',
      mandatory: true,
      check: 'document',
      title: 'Accessibilité aux personnes à mobilité réduite (attestation ou dérogation)',
    },
    {
      code: 'LOC-03',
      category: 'locaux et confidentialité',
      mandatory: true,
      check: 'on_site',
      title: 'Espace d’attente et espace de travail en libre-service distincts',
    },
    {
      code: 'LOC-04',
      category: 'locaux et confidentialité',
      mandatory: true,
      check: 'document',
      title: 'Protection des données personnelles des usagers (RGPD) : registre et consignes',
    },
    // Équipement
    {
      code: 'EQU-01',
      category: 'équipement',
      mandatory: true,
      check: 'on_site',
      title: 'Poste informatique en libre-service, gratuit, avec accès à internet',
    },
    {
      code: 'EQU-02',
      category: 'équipement',
      mandatory: true,
      check: 'on_site',
      title: 'Imprimante, scanner et photocopieur à disposition gratuite des usagers',
    },
    {
      code: 'EQU-03',
      category: 'équipement',
      mandatory: true,
      check: 'on_site',
      title: 'Connexion wifi gratuite pour le public',
    },
    {
      code: 'EQU-04',
      category: 'équipement',
      mandatory: true,
      check: 'on_site',
      title: 'Équipement de visioconférence pour les rendez-vous avec les partenaires',
    },
    // Partenaires
    {
      code: 'PAR-01',
      category: 'partenaires',
      mandatory: true,
      check: 'automatic',
      title:
        'Services des partenaires nationaux proposés (CAF, Assurance maladie, Assurance retraite, France Travail, La Poste, DGFiP, ANTS, Justice, MSA)',
    },
    {
      code: 'PAR-02',
      category: 'partenaires',
      mandatory: true,
      check: 'automatic',
      title: 'Un référent nommé pour chaque partenaire national',
    },
    {
      code: 'PAR-03',
      category: 'partenaires',
      mandatory: true,
      check: 'document',
      title: 'Convention locale signée avec les partenaires',
    },
    {
      code: 'PAR-04',
      category: 'partenaires',
      mandatory: false,
      check: 'document',
      title: 'Partenaires locaux associés (collectivités, associations, médiation numérique)',
    },
    // Qualité
    {
      code: 'QUA-01',
      category: 'qualité',
      mandatory: true,
      check: 'document',
      title: 'Suivi de l’activité transmis à l’ANCT (outil de suivi national)',
    },
    {
      code: 'QUA-02',
      category: 'qualité',
      mandatory: true,
      check: 'on_site',
      title: 'Questionnaire de satisfaction des usagers proposé et exploité',
    },
    {
      code: 'QUA-03',
      category: 'qualité',
      mandatory: true,
      check: 'document',
      title: 'Comité de pilotage départemental : participation de la structure',
    },
    {
      code: 'QUA-04',
      category: 'qualité',
      mandatory: false,
      check: 'on_site',
      title: 'Délai de réponse aux demandes complexes suivi (réponse du partenaire sous 48 h ouvrées)',
    },
    {
      code: 'QUA-05',
      category: 'qualité',
      mandatory: false,
      check: 'document',
      title: 'Rapport annuel d’activité de la structure',
    },
  ],
};
