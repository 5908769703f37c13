import { PARTENAIRE_LABELS } from '../../../domain/accompagnement/index.js';
import type { Figures } from '../../../domain/escalade/figures.js';
import type { MissedRate } from '../../../domain/rendezvous/booking.js';
import type { Dashboard } from '../../../services/pilotage/pilotage.service.js';
import { html, type SafeHtml } from '../../html.js';
import { barChart, dataTable, frNumber, frPercent } from './charts.js';
import { csvLink, type DashboardForm } from './dashboard.view.js';

export type { MissedRate };
export type EscaladeFigures = Figures;

/**
 * The dashboard sections of issue 13 (escalations to the partners' référents) and issue 15 (appointments),
 * read by their own services for the territory the dashboard authorised (docs/adr/0014-pilotage.md).
 */
const partnerLabel = (code: string) =>
  code === '' ? 'Tous partenaires' : ((PARTENAIRE_LABELS as Record<string, string>)[code] ?? code);
const hours = (h: number | null) => (h === null ? '—' : `${frNumber(Math.round(h * 10) / 10)} h`);

/** Rows of the escalation table, shared by the page and its CSV export. */
export function escaladeRows(figures: readonly Figures[]) {
  return figures.map((f) => ({
    partenaire: f.partenaire === '' ? 'ensemble' : f.partenaire,
    label: partnerLabel(f.partenaire),
    dossiers: f.cases,
    echus: f.settled,
    repondus72h: f.answeredWithin72,
    part72h: f.shareWithin72,
    medianePremiereReponseH: f.medianFirstAnswerBh,
    medianeClotureH: f.medianCloseBh,
  }));
}

export function escaladeSection(figures: readonly Figures[], d: Dashboard, values: DashboardForm): SafeHtml {
  const rows = escaladeRows(figures);
  const perPartner = rows.filter((r) => r.partenaire !== 'ensemble');
  const total = rows.find((r) => r.partenaire === 'ensemble');
  return html`<section class="fr-mb-6w" aria-labelledby="t-escalade"><h2 id="t-escalade">Escalades vers les partenaires</h2>
<p>Dossiers transmis aux référents des partenaires pendant la période. Un dossier compte dans la part « en 72 h ouvrées » dès que sa première réponse est arrivée ou que le délai est passé sans réponse ; les délais sont en heures ouvrées.</p>
${
  total
    ? html`<ul class="fr-grid-row fr-grid-row--gutters maillage-kpis">
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${frNumber(total.dossiers)}</p><p>dossiers transmis</p></li>
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${total.part72h === null ? '—' : frPercent(total.part72h)}</p><p>de premières réponses en 72 h ouvrées (${frNumber(total.repondus72h)} sur ${frNumber(total.echus)})</p></li>
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${hours(total.medianePremiereReponseH)}</p><p>délai médian de première réponse</p></li>
</ul>
${barChart({
  id: 'g-escalade',
  title: 'Part des premières réponses en 72 h ouvrées, par partenaire (%)',
  rows: perPartner.map((r) => ({ label: r.label, value: Math.round((r.part72h ?? 0) * 1000) / 10 })),
  unit: '%',
})}`
    : null
}
${dataTable({
  caption: `Escalades par partenaire — ${d.territory.label}, du ${d.from} au ${d.to}`,
  head: [
    'Partenaire',
    'Dossiers',
    'Délai de réponse échu ou répondu',
    'Répondus en 72 h ouvrées',
    'Part en 72 h',
    'Délai médian de 1re réponse',
    'Délai médian de clôture',
  ],
  rows: perPartner.map((r) => [
    r.label,
    r.dossiers,
    r.echus,
    r.repondus72h,
    r.part72h === null ? '—' : frPercent(r.part72h),
    hours(r.medianePremiereReponseH),
    hours(r.medianeClotureH),
  ]),
  foot: total
    ? [
        'Total',
        total.dossiers,
        total.echus,
        total.repondus72h,
        total.part72h === null ? '—' : frPercent(total.part72h),
        hours(total.medianePremiereReponseH),
        hours(total.medianeClotureH),
      ]
    : undefined,
})}
${csvLink(values, 'escalade', 'Escalades par partenaire')}</section>`;
}

export function rendezvousSection(rate: MissedRate, d: Dashboard, values: DashboardForm): SafeHtml {
  const interval = rate.interval
    ? ` (intervalle de confiance à 95 % : ${frPercent(rate.interval.low)} à ${frPercent(rate.interval.high)})`
    : '';
  return html`<section class="fr-mb-6w" aria-labelledby="t-rdv"><h2 id="t-rdv">Rendez-vous</h2>
<p>Rendez-vous commencés pendant la période (jusqu’à aujourd’hui), hors annulations. Taux d’absence : absents sans prévenir parmi les rendez-vous dont la présence est renseignée.</p>
<ul class="fr-grid-row fr-grid-row--gutters maillage-kpis">
<li class="fr-col-12 fr-col-md-6"><p class="fr-text--lead fr-mb-0">${frNumber(rate.total + rate.nonRenseigne)}</p><p>rendez-vous</p></li>
<li class="fr-col-12 fr-col-md-6"><p class="fr-text--lead fr-mb-0">${rate.missedRate === null ? '—' : frPercent(rate.missedRate)}</p><p>d’absence sans prévenir${interval}${rate.small && rate.total > 0 ? ' : moins de 30 rendez-vous renseignés, à lire avec prudence' : ''}</p></li>
</ul>
${dataTable({
  caption: `Rendez-vous selon la présence — ${d.territory.label}, du ${d.from} au ${d.to}`,
  head: ['Présence', 'Rendez-vous'],
  rows: rate.total + rate.nonRenseigne === 0 ? [] : rendezvousRows(rate).map((r) => [r.label, r.n]),
  foot: ['Total', rate.total + rate.nonRenseigne],
})}
${csvLink(values, 'rendez_vous', 'Rendez-vous selon la présence')}</section>`;
}

/** Rows of the appointment table, shared by the page and its CSV export. */
export function rendezvousRows(rate: MissedRate) {
  return [
    { presence: 'honore', label: 'Venus', n: rate.honore },
    { presence: 'excuse', label: 'Excusés (ont prévenu)', n: rate.excuse },
    { presence: 'absent', label: 'Absents sans prévenir', n: rate.absent },
    { presence: 'non_renseigne', label: 'Présence non renseignée', n: rate.nonRenseigne },
  ];
}
