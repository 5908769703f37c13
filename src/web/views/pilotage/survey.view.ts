import { SURVEY_MIN_ANSWERS, SURVEY_QUESTIONS, type SurveyQuestion } from '../../../domain/pilotage/index.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, raw, type SafeHtml } from '../../html.js';
import { alert } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { page } from '../layout.js';
import { dataTable, frPercent } from './charts.js';

/** An instant as `AAAA-MM-JJ HH:MM UTC`: a survey link belongs to no place. */
const utcMinute = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The agent's page: create a link, then show its QR code and short link to hand over. */
export function surveyLinkPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: { id: string; name: string };
  link: { url: string; svg: string; expiresAt: Date } | null;
}): string {
  return backOfficePage({
    title: 'Enquête de satisfaction',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Pilotage', href: '/espace/pilotage' }],
    body: html`<h1>Enquête de satisfaction — ${o.structure.name}</h1>
<p>Après un accompagnement, remettez à la personne un lien vers trois questions, anonymes. Un lien sert à une seule réponse et expire au bout de 14 jours.</p>
${
  o.link
    ? html`<div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
<figure class="fr-col-12 fr-col-md-4 fr-m-0" role="img" aria-label="QR code du lien de l’enquête">${raw(o.link.svg)}</figure>
<div class="fr-col-12 fr-col-md-8"><p>Lien à donner ou à envoyer :</p><p><a class="fr-link" href="${o.link.url}">${o.link.url}</a></p>
<p class="fr-text--sm">Valable jusqu’au ${utcMinute(o.link.expiresAt)}, pour une seule réponse.</p></div></div>`
    : null
}
<form method="post" action="/espace/pilotage/enquete?structure=${o.structure.id}">${o.csrf}
<button class="fr-btn" type="submit">${o.link ? 'Créer un autre lien' : 'Créer un lien d’enquête'}</button></form>`,
  });
}

/** The public, anonymous survey form. */
export function surveyFormPage(o: {
  csrf: SafeHtml;
  token: string;
  structureName: string;
  error: { field: string | null; message: string } | null;
  values: Record<string, string | undefined>;
}): string {
  const question = (q: SurveyQuestion) => {
    const err = o.error?.field === q ? o.error.message : null;
    return html`<fieldset class="fr-fieldset${err ? ' fr-fieldset--error' : ''}" id="q-${q}" aria-labelledby="q-${q}-legende${err ? ` q-${q}-erreur` : ''}"${err ? html` role="group"` : null}>
<legend class="fr-fieldset__legend" id="q-${q}-legende">${SURVEY_QUESTIONS[q].legend}</legend>
${SURVEY_QUESTIONS[q].options.map(
  ([value, label]) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
<input type="radio" id="q-${q}-${value}" name="${q}" value="${value}"${o.values[q] === value ? html` checked` : null}${err ? html` aria-describedby="q-${q}-erreur"` : null}>
<label class="fr-label" for="q-${q}-${value}">${label}</label></div></div>`,
)}
${err ? html`<div class="fr-messages-group" aria-live="assertive"><p class="fr-message fr-message--error fr-error-text" id="q-${q}-erreur">${err}</p></div>` : null}
</fieldset>`;
  };
  return page({
    title: 'Votre avis sur France Services',
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Votre avis' }],
    body: html`<h1>Votre avis sur votre accompagnement</h1>
<p>${o.structureName} — trois questions, une minute. Vos réponses sont anonymes : rien ne vous relie à elles.</p>
${o.error && !o.error.field ? alert('error', o.error.message) : null}
<form method="post" action="/avis/${o.token}">${o.csrf}
${question('demarche')}${question('accueil')}${question('recommande')}
<button class="fr-btn" type="submit">Envoyer mes réponses</button></form>`,
  });
}

/** Thank-you, expired, already answered: a short public page. */
export function surveyMessagePage(title: string, message: string): string {
  return page({
    title,
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Votre avis' }],
    body: html`<h1>${title}</h1><p>${message}</p><p><a class="fr-link" href="/">Trouver une France Services</a></p>`,
  });
}

type Scored = {
  count: number;
  scores: { satisfaits: number; demarcheAvancee: number; recommandent: number } | null;
};

/** The dashboard's satisfaction section: counts always, scores only from 11 answers. */
export function satisfactionSection(o: {
  total: Scored;
  perStructure: ReadonlyArray<Scored & { name: string }>;
}): SafeHtml {
  const cells = (s: Scored) =>
    s.scores
      ? [
          frPercent(s.scores.satisfaits),
          frPercent(s.scores.demarcheAvancee),
          frPercent(s.scores.recommandent),
        ]
      : [`moins de ${SURVEY_MIN_ANSWERS} réponses`, '—', '—'];
  return html`<section class="fr-mb-6w" aria-labelledby="t-satisfaction"><h2 id="t-satisfaction">Satisfaction</h2>
<p>Réponses à l’enquête anonyme remise après un accompagnement (jour UTC de la réponse). Aucun score n’est affiché en dessous de ${SURVEY_MIN_ANSWERS} réponses.</p>
${dataTable({
  caption: 'Satisfaction : territoire et structures',
  head: ['', 'Réponses', 'Satisfaits de l’accueil', 'Démarche avancée', 'Recommandent'],
  rows: [
    ['Territoire', o.total.count, ...cells(o.total)],
    ...o.perStructure.map((s) => [s.name, s.count, ...cells(s)]),
  ],
})}</section>`;
}
