import { PARTENAIRE_LABELS, PARTENAIRES } from '../../../domain/accompagnement/codes.js';
import { WEEKDAYS } from '../../../domain/directory/opening-hours.js';
import type { Structure } from '../../../domain/directory/structure.js';
import {
  CHANNEL_LABELS,
  CHANNELS,
  type Channel,
  formatMinutes,
  MISSED_RATE_MIN_COUNT,
  type MissedRate,
  type Motif,
  NAME_MAX,
  type Plage,
  type Slot,
  type SlotWeek,
  STATUS_LABELS,
  type Status,
} from '../../../domain/rendezvous/index.js';
import { type TimeZone, toLocalIso } from '../../../domain/shared/time-zone.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, errorFor, type FormError, field, submit, topError } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { dayTitle, hhmm, motifLine, whenText } from './public.views.js';

/** The agents' side of rendez-vous (issue 15): agenda, booking for someone, motifs and plages. */

export interface AgendaRow {
  readonly id: string;
  readonly debut: Date;
  readonly fin: Date;
  readonly agent_id: string;
  readonly statut: string;
  readonly nom: string | null;
  readonly courriel: string | null;
  readonly telephone: string | null;
  readonly version: number;
  readonly motif_libelle: string;
  readonly motif_canal: string;
  readonly motif_partenaire: string | null;
  readonly motif_demarche?: string | null;
}

export interface AttendanceStats {
  readonly total: MissedRate;
  readonly perMotif: ReadonlyArray<MissedRate & { label: string }>;
  readonly days: number;
  readonly from: Date;
  readonly to: Date;
}

const option = (value: string, label: string, selected: string | null | undefined) =>
  html`<option value="${value}"${value === selected ? html` selected` : null}>${label}</option>`;

function selectField(
  name: string,
  label: string,
  options: ReadonlyArray<readonly [string, string]>,
  value: string | null | undefined,
  error?: string | null,
): SafeHtml {
  return html`<div class="fr-select-group${error ? ' fr-select-group--error' : ''}">
<label class="fr-label" for="${name}">${label}</label>
<select class="fr-select" id="${name}" name="${name}"${error ? html` aria-describedby="${name}-error" aria-invalid="true"` : null}>${options.map(([v, l]) => option(v, l, value))}</select>
${error ? html`<p id="${name}-error" class="fr-error-text">${error}</p>` : null}</div>`;
}

const percent = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1).replace('.', ',')} %`);
const whole = (r: number) => `${Math.round(r * 100)}`;

/** A rate with its interval and the count it rests on, or why there is none. */
function rateCell(m: MissedRate): SafeHtml {
  if (m.missedRate === null || m.interval === null)
    return html`— <span class="fr-text--xs">(aucune présence renseignée)</span>`;
  return html`${percent(m.missedRate)}<br><span class="fr-text--xs">entre ${whole(m.interval.low)} et ${whole(m.interval.high)} % (IC 95 %)${m.small ? ' · peu de rendez-vous : indicatif' : ''}</span>`;
}

/** The missed-appointment table (a structure's motifs), saying what it is computed on. */
function statsBlock(st: AttendanceStats, zone: TimeZone): SafeHtml {
  const day = (d: Date) => dayTitle(d, zone);
  const row = (label: SafeHtml | string, m: MissedRate, header = false) =>
    html`<tr>${header ? html`<th scope="row">${label}</th>` : html`<td>${label}</td>`}<td>${String(m.total)}</td><td>${String(m.honore)}</td><td>${String(m.excuse)}</td><td>${String(m.absent)}</td><td>${rateCell(m)}</td><td>${String(m.nonRenseigne)}</td></tr>`;
  return html`<h2 class="fr-h5 fr-mt-4w">Rendez-vous non honorés (${String(st.days)} derniers jours)</h2>
<p class="fr-text--sm">Calculé sur ${String(st.total.total)} rendez-vous passé${st.total.total > 1 ? 's' : ''} dont la présence est renseignée, du ${day(st.from)} au ${day(st.to)}. Taux d’absence = absents non excusés ÷ rendez-vous renseignés (honorés, excusés, absents) ; l’intervalle de confiance à 95 % dit la marge due au petit nombre. Les rendez-vous annulés ne comptent pas. Rendez-vous passés sans présence renseignée, laissés de côté : ${String(st.total.nonRenseigne)}. En dessous de ${String(MISSED_RATE_MIN_COUNT)} rendez-vous renseignés, le taux est indicatif.</p>
<div class="fr-table"><table><caption>Taux d’absence non excusée par motif</caption>
<thead><tr><th scope="col">Motif</th><th scope="col">Rendez-vous renseignés</th><th scope="col">Honorés</th><th scope="col">Excusés</th><th scope="col">Absents</th><th scope="col">Taux d’absence</th><th scope="col">Présence non renseignée</th></tr></thead>
<tbody>${st.perMotif.map((m) => row(m.label, m))}
${row('Toute la structure', st.total, true)}</tbody></table></div>`;
}

/** Canal of the accompaniment record for a motif's channel. */
const CANAL_OF: Record<Channel, string> = { sur_place: 'guichet', telephone: 'telephone', visio: 'visio' };

export function agendaPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: Structure;
  zone: TimeZone;
  agents: ReadonlyArray<{ id: string; name: string }>;
  agentId: string | null;
  view: 'jour' | 'semaine';
  day: string;
  previous: string;
  next: string;
  rows: readonly AgendaRow[];
  now: Date;
  notice?: string | null;
  error?: string | null;
  stats?: AttendanceStats | null;
  canConfigure: boolean;
  feed: { active: boolean; url?: string | null };
}): string {
  const s = o.structure;
  const names = new Map(o.agents.map((a) => [a.id, a.name]));
  const q = (day: string) =>
    `/espace/rendez-vous?structure=${s.id}&vue=${o.view}&jour=${day}${o.agentId ? `&agent=${o.agentId}` : ''}`;
  const days = new Map<string, AgendaRow[]>();
  for (const r of o.rows) {
    const d = dayTitle(new Date(r.debut), o.zone);
    days.set(d, [...(days.get(d) ?? []), r]);
  }
  const actions = (r: AgendaRow): SafeHtml | null => {
    const started = new Date(r.debut).getTime() <= o.now.getTime();
    if (r.statut === 'annule') return null;
    const attendance = html`<form method="post" action="/espace/rendez-vous/${r.id}/presence" class="fr-mb-1w">${o.csrf}
<input type="hidden" name="version" value="${String(r.version)}">
<label class="fr-label fr-sr-only" for="statut-${r.id}">Présence de ${r.nom ?? 'la personne'}</label>
<select class="fr-select fr-mb-1w" id="statut-${r.id}" name="statut">
${started ? option('honore', 'Honoré (vu)', r.statut) : null}${option('excuse', 'Excusé', r.statut)}${started ? option('absent', 'Absent (non excusé)', r.statut) : null}
</select><button class="fr-btn fr-btn--sm fr-btn--secondary" type="submit">Enregistrer la présence</button></form>`;
    const cancel =
      r.statut === 'confirme' && !started
        ? html`<form method="post" action="/espace/rendez-vous/${r.id}/annuler">${o.csrf}<input type="hidden" name="version" value="${String(r.version)}"><button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Annuler</button></form>`
        : null;
    const record =
      r.statut === 'honore'
        ? html`<a class="fr-link fr-text--sm" href="/espace/accompagnements?structure=${s.id}&canal=${CANAL_OF[r.motif_canal as Channel] ?? 'guichet'}&partenaire=${r.motif_partenaire ?? 'autre'}${r.motif_demarche ? `&demarche=${r.motif_demarche}` : ''}&duree_min=${String(Math.round((new Date(r.fin).getTime() - new Date(r.debut).getTime()) / 60_000))}&heure=${hhmm(new Date(r.debut), o.zone)}">Saisir l’accompagnement</a>`
        : null;
    return html`${attendance}${cancel}${record}`;
  };
  const body = html`<h1>Rendez-vous — ${s.name}</h1>
${o.notice ? alert('success', o.notice) : null}
${o.error ? alert('error', o.error) : null}
<form method="get" action="/espace/rendez-vous" class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
<input type="hidden" name="structure" value="${s.id}">
<div class="fr-col-12 fr-col-md-4">${selectField('agent', 'Agenda de', [['', 'Toute la structure'], ...o.agents.map((a) => [a.id, a.name] as const)], o.agentId ?? '')}</div>
<div class="fr-col-6 fr-col-md-3">${selectField(
    'vue',
    'Vue',
    [
      ['jour', 'Jour'],
      ['semaine', 'Semaine'],
    ],
    o.view,
  )}</div>
<div class="fr-col-6 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="jour">Jour</label><input class="fr-input" type="date" id="jour" name="jour" value="${o.day}"></div></div>
<div class="fr-col-12 fr-col-md-2 fr-mb-3w">${submit('Afficher', true)}</div>
</form>
<ul class="fr-btns-group fr-btns-group--inline-sm">
<li><a class="fr-btn fr-btn--tertiary" href="${q(o.previous)}">${o.view === 'jour' ? 'Jour précédent' : 'Semaine précédente'}</a></li>
<li><a class="fr-btn fr-btn--tertiary" href="${q(o.next)}">${o.view === 'jour' ? 'Jour suivant' : 'Semaine suivante'}</a></li>
<li><a class="fr-btn" href="/espace/rendez-vous/nouveau?structure=${s.id}">Prendre un rendez-vous pour quelqu’un</a></li>
<li><a class="fr-btn fr-btn--secondary" href="/espace/rendez-vous/configuration?structure=${s.id}">${o.canConfigure ? 'Motifs, plages et absences' : 'Mes plages et absences'}</a></li>
</ul>
${
  o.rows.length === 0
    ? html`<p>Aucun rendez-vous ${o.view === 'jour' ? 'ce jour-là' : 'cette semaine'}.</p>`
    : [...days.entries()].map(
        ([day, rows]) => html`<h2 class="fr-h5 fr-mt-3w">${day.charAt(0).toUpperCase()}${day.slice(1)}</h2>
<div class="fr-table fr-table--no-caption"><table><caption>Rendez-vous du ${day}</caption>
<thead><tr><th scope="col">Heure</th><th scope="col">Agent</th><th scope="col">Motif</th><th scope="col">Personne</th><th scope="col">État</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.map(
          (
            r,
          ) => html`<tr><td>${hhmm(new Date(r.debut), o.zone)}–${hhmm(new Date(r.fin), o.zone)}</td><td>${names.get(r.agent_id) ?? '—'}</td>
<td>${r.motif_libelle}<br><span class="fr-text--xs">${CHANNEL_LABELS[r.motif_canal as Channel] ?? ''}</span></td>
<td>${r.nom ?? html`<em>coordonnées effacées</em>`}${r.telephone ? html`<br><a href="tel:${r.telephone}">${r.telephone}</a>` : null}${r.courriel ? html`<br>${r.courriel}` : null}</td>
<td><span class="fr-badge fr-badge--sm${r.statut === 'absent' ? ' fr-badge--error' : r.statut === 'honore' ? ' fr-badge--success' : ''}">${STATUS_LABELS[r.statut as Status] ?? r.statut}</span></td>
<td>${actions(r)}</td></tr>`,
        )}</tbody></table></div>`,
      )
}
<h2 class="fr-h5 fr-mt-4w">Mon agenda dans mon calendrier</h2>
${
  o.feed.url
    ? alert(
        'info',
        html`Votre lien privé (affiché une seule fois, à copier dans votre calendrier) : <code>${o.feed.url}</code>`,
      )
    : null
}
<p>${o.feed.active ? 'Un lien privé d’abonnement est actif.' : 'Aucun lien d’abonnement actif.'} Quiconque a ce lien voit vos rendez-vous : révoquez-le en cas de doute.</p>
<ul class="fr-btns-group fr-btns-group--inline-sm">
<li><form method="post" action="/espace/rendez-vous/flux?structure=${s.id}">${o.csrf}<button class="fr-btn fr-btn--secondary" type="submit">${o.feed.active ? 'Remplacer le lien' : 'Créer un lien d’abonnement'}</button></form></li>
${o.feed.active ? html`<li><form method="post" action="/espace/rendez-vous/flux/revoquer?structure=${s.id}">${o.csrf}<button class="fr-btn fr-btn--tertiary" type="submit">Révoquer le lien</button></form></li>` : null}
</ul>
${o.stats ? statsBlock(o.stats, o.zone) : null}`;
  return backOfficePage({ title: `Rendez-vous – ${s.name}`, user: o.user, csrf: o.csrf, body });
}

export function counterBookingPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: Structure;
  zone: TimeZone;
  motifs: readonly Motif[];
  motif: Motif | null;
  slots: readonly Slot[];
  week: SlotWeek | null;
  values?: { debut?: string; name?: string; email?: string; phone?: string };
  error?: FormError | null;
}): string {
  const s = o.structure;
  const v = o.values ?? {};
  const e = o.error ?? null;
  const base = `/espace/rendez-vous/nouveau?structure=${s.id}`;
  const slotError = errorFor(e, 'start');
  const days = new Map<string, Slot[]>();
  for (const x of o.slots) {
    const d = dayTitle(x.start, o.zone);
    days.set(d, [...(days.get(d) ?? []), x]);
  }
  let i = 0;
  const body = html`<h1>Prendre un rendez-vous pour quelqu’un</h1>
<form method="get" action="/espace/rendez-vous/nouveau" class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
<input type="hidden" name="structure" value="${s.id}">
<div class="fr-col-12 fr-col-md-8">${selectField(
    'motif',
    'Motif',
    o.motifs.map((m) => [m.id, `${m.label} (${motifLine(m)})`] as const),
    o.motif?.id ?? '',
  )}</div>
<div class="fr-col-12 fr-col-md-4 fr-mb-3w">${submit('Voir les créneaux', true)}</div>
</form>
${
  o.motif && o.week
    ? html`${topError(e, ['start', 'name', 'email', 'phone'])}
<form method="post" action="${base}&motif=${o.motif.id}" novalidate>${o.csrf}
${
  o.slots.length === 0
    ? html`<p>Aucun créneau libre cette semaine.${o.week.nextFree ? html` Prochain : <a href="${base}&motif=${o.motif.id}&semaine=${o.week.nextFree ? toLocalIso(o.week.nextFree.start, o.zone).slice(0, 10) : ''}">${whenText(o.week.nextFree.start, o.zone)}</a>.` : null}</p>`
    : [...days.entries()].map(
        ([
          day,
          list,
        ]) => html`<fieldset class="fr-fieldset${slotError ? ' fr-fieldset--error' : ''}"${slotError ? html` aria-describedby="start-error"` : null}><legend class="fr-fieldset__legend fr-text--regular">${day.charAt(0).toUpperCase()}${day.slice(1)}</legend>
${list.map((x) => {
  i += 1;
  const value = toLocalIso(x.start, o.zone);
  return html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group"><input type="radio" id="creneau-${i}" name="debut" value="${value}"${value === v.debut ? html` checked` : null}><label class="fr-label" for="creneau-${i}">${hhmm(x.start, o.zone)}</label></div></div>`;
})}</fieldset>`,
      )
}
${slotError ? html`<p id="start-error" class="fr-error-text">${slotError}</p>` : null}
<ul class="fr-btns-group fr-btns-group--inline-sm">
${o.week.previous ? html`<li><a class="fr-btn fr-btn--tertiary" href="${base}&motif=${o.motif.id}&semaine=${o.week.previous}">Semaine précédente</a></li>` : null}
${o.week.next ? html`<li><a class="fr-btn fr-btn--tertiary" href="${base}&motif=${o.motif.id}&semaine=${o.week.next}">Semaine suivante</a></li>` : null}
</ul>
${field({ name: 'name', label: 'Nom et prénom de la personne', value: v.name, error: errorFor(e, 'name'), required: true, maxlength: NAME_MAX })}
${field({ name: 'email', label: 'Adresse électronique (confirmation et rappel)', type: 'email', value: v.email, error: errorFor(e, 'email'), maxlength: 254 })}
${field({ name: 'phone', label: 'Téléphone', type: 'tel', value: v.phone, error: errorFor(e, 'phone'), maxlength: 30 })}
${submit('Réserver')}
</form>`
    : html`<p>Choisissez un motif pour voir les créneaux libres.</p>`
}`;
  return backOfficePage({
    title: 'Prendre un rendez-vous pour quelqu’un',
    user: o.user,
    csrf: o.csrf,
    body,
    crumbs: [{ label: 'Rendez-vous', href: `/espace/rendez-vous?structure=${s.id}` }],
  });
}

const MOTIF_FIELDS = [
  'label',
  'durationMin',
  'channel',
  'partner',
  'demarche',
  'minNoticeMin',
  'maxNoticeDays',
] as const;

/** The fields of a motif, for adding one and for editing one. */
function motifFields(v: Record<string, string | undefined>, err: (name: string) => string | null): SafeHtml {
  return html`${field({ name: 'label', label: 'Intitulé', value: v.label, error: err('label'), required: true, maxlength: 120 })}
${field({ name: 'durationMin', label: 'Durée (minutes, multiple de 5)', value: v.durationMin ?? '30', error: err('durationMin'), maxlength: 3 })}
${selectField(
  'channel',
  'Canal',
  CHANNELS.map((c) => [c, CHANNEL_LABELS[c]] as const),
  v.channel ?? 'sur_place',
  err('channel'),
)}
${selectField('partner', 'Partenaire concerné', [['', '— aucun —'], ...PARTENAIRES.map((p) => [p, PARTENAIRE_LABELS[p]] as const)], v.partner ?? '', err('partner'))}
${field({ name: 'demarche', label: 'Démarche (code du catalogue, facultatif)', hint: 'Exemple : caf.rsa', value: v.demarche, error: err('demarche'), maxlength: 64 })}
${field({ name: 'minNoticeMin', label: 'Délai minimal (minutes)', value: v.minNoticeMin ?? '60', error: err('minNoticeMin'), maxlength: 6 })}
${field({ name: 'maxNoticeDays', label: 'Délai maximal (jours, 93 au plus)', value: v.maxNoticeDays ?? '56', error: err('maxNoticeDays'), maxlength: 3 })}
<div class="fr-checkbox-group fr-mb-3w"><input type="checkbox" id="bookableOnline" name="bookableOnline" value="oui"${v.bookableOnline === 'oui' || v.label === undefined ? html` checked` : null}><label class="fr-label" for="bookableOnline">Réservable en ligne par le public</label></div>`;
}

/** A motif's stored values as the form holds them (strings). */
export const motifFormValues = (m: Motif): Record<string, string> => ({
  label: m.label,
  durationMin: String(m.durationMin),
  channel: m.channel,
  partner: m.partner ?? '',
  demarche: m.demarche ?? '',
  minNoticeMin: String(m.minNoticeMin),
  maxNoticeDays: String(m.maxNoticeDays),
  bookableOnline: m.bookableOnline ? 'oui' : 'non',
});

/**
 * Editing a motif. The form carries the version it was read at: a concurrent edit answers 409 with the
 * values now stored, and the form keeps what the person typed, at the new version, to resubmit knowingly.
 */
export function motifEditPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: Structure;
  motif: Motif;
  /** What the form shows: the stored values, or what was typed. */
  values: Record<string, string | undefined>;
  error?: FormError | null;
  /** After a concurrent edit: what is stored now. */
  stored?: Motif | null;
}): string {
  const s = o.structure;
  const e = o.error ?? null;
  const err = (name: string) => errorFor(e, name);
  const body = html`<h1>Modifier le motif « ${o.motif.label} »</h1>
${topError(e, MOTIF_FIELDS)}
${
  o.stored
    ? html`<div class="fr-callout fr-mb-3w"><p class="fr-callout__text">Valeurs enregistrées maintenant : ${o.stored.label} (${motifLine(o.stored)}), ${o.stored.bookableOnline ? 'réservable en ligne' : 'agents seulement'}, délai de ${String(o.stored.minNoticeMin)} minutes à ${String(o.stored.maxNoticeDays)} jours. Vos valeurs sont restées dans le formulaire : vérifiez-les et enregistrez à nouveau pour les appliquer.</p></div>`
    : null
}
<p class="fr-text--sm">Les rendez-vous déjà pris gardent leur horaire et leur durée ; les changements valent pour les prochaines réservations.</p>
<form method="post" action="/espace/rendez-vous/motifs/${o.motif.id}/modifier?structure=${s.id}" novalidate>${o.csrf}
<input type="hidden" name="version" value="${String((o.stored ?? o.motif).version)}">
${motifFields(o.values, err)}
<ul class="fr-btns-group fr-btns-group--inline-sm">
<li>${submit('Enregistrer le motif')}</li>
<li><a class="fr-btn fr-btn--tertiary" href="/espace/rendez-vous/configuration?structure=${s.id}">Annuler</a></li>
</ul>
</form>`;
  return backOfficePage({
    title: `Modifier le motif ${o.motif.label}`,
    user: o.user,
    csrf: o.csrf,
    body,
    crumbs: [
      { label: 'Rendez-vous', href: `/espace/rendez-vous?structure=${s.id}` },
      { label: 'Motifs, plages et absences', href: `/espace/rendez-vous/configuration?structure=${s.id}` },
    ],
  });
}

export function configurationPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: Structure;
  canConfigure: boolean;
  motifs: readonly Motif[];
  plages: readonly Plage[];
  agents: ReadonlyArray<{ id: string; name: string }>;
  notice?: string | null;
  error?: FormError | null;
  form?: 'motif' | 'plage' | 'absence' | null;
  values?: Record<string, string | undefined>;
}): string {
  const s = o.structure;
  const e = o.error ?? null;
  const v = o.values ?? {};
  const names = new Map(o.agents.map((a) => [a.id, a.name]));
  const motifNames = new Map(o.motifs.map((m) => [m.id, m.label]));
  const mine = o.canConfigure ? o.agents : o.agents.filter((a) => a.id === o.user.principal.id);
  const fe = (form: string, name: string) => (o.form === form ? errorFor(e, name) : null);
  const body = html`<h1>${o.canConfigure ? 'Motifs, plages et absences' : 'Mes plages et absences'}</h1>
${o.notice ? alert('success', o.notice) : null}
${e && o.form === null ? alert('error', e.message) : null}
${
  o.canConfigure
    ? html`<h2 class="fr-h4">Motifs</h2>
${
  o.motifs.length
    ? html`<div class="fr-table"><table><caption>Motifs de rendez-vous</caption><thead><tr><th scope="col">Motif</th><th scope="col">Durée, canal, partenaire</th><th scope="col">En ligne</th><th scope="col">État</th><th scope="col">Action</th></tr></thead><tbody>
${o.motifs.map(
  (
    m,
  ) => html`<tr><td>${m.label}</td><td>${motifLine(m)}</td><td>${m.bookableOnline ? 'Oui' : 'Non (agents seulement)'}</td><td>${m.active ? 'Actif' : 'Désactivé'}</td>
<td><a class="fr-link fr-text--sm" href="/espace/rendez-vous/motifs/${m.id}/modifier?structure=${s.id}">Modifier<span class="fr-sr-only"> le motif ${m.label}</span></a>
<form method="post" action="/espace/rendez-vous/motifs/${m.id}/etat?structure=${s.id}">${o.csrf}<input type="hidden" name="version" value="${String(m.version)}"><input type="hidden" name="actif" value="${m.active ? 'non' : 'oui'}"><button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">${m.active ? 'Désactiver' : 'Réactiver'}<span class="fr-sr-only"> le motif ${m.label}</span></button></form></td></tr>`,
)}</tbody></table></div>`
    : html`<p>Aucun motif : ajoutez-en un pour ouvrir la prise de rendez-vous.</p>`
}
<h3 class="fr-h5">Ajouter un motif</h3>
${o.form === 'motif' ? topError(e, MOTIF_FIELDS) : null}
<form method="post" action="/espace/rendez-vous/motifs?structure=${s.id}" novalidate>${o.csrf}
${motifFields(v, (name) => fe('motif', name))}
${submit('Ajouter le motif')}
</form>`
    : null
}
<h2 class="fr-h4 fr-mt-4w">Plages d’ouverture aux rendez-vous</h2>
<p class="fr-text--sm">Chaque semaine ; les créneaux respectent aussi les horaires d’ouverture, les fermetures, les jours fériés et le statut de la structure.</p>
${
  o.plages.length
    ? html`<div class="fr-table"><table><caption>Plages hebdomadaires</caption><thead><tr><th scope="col">Agent</th><th scope="col">Jour</th><th scope="col">Heures</th><th scope="col">Période</th><th scope="col">Motifs</th><th scope="col">Action</th></tr></thead><tbody>
${o.plages.map(
  (
    p,
  ) => html`<tr><td>${names.get(p.agentId) ?? '—'}</td><td>${p.weekday}</td><td>${formatMinutes(p.start)}–${formatMinutes(p.end)}</td><td>${p.validFrom ?? '…'} → ${p.validUntil ?? '…'}</td><td>${p.motifIds ? p.motifIds.map((id) => motifNames.get(id) ?? id).join(', ') : 'Tous'}</td>
<td>${o.canConfigure || p.agentId === o.user.principal.id ? html`<form method="post" action="/espace/rendez-vous/plages/${p.id}/supprimer?structure=${s.id}">${o.csrf}<button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">Supprimer</button></form>` : null}</td></tr>`,
)}</tbody></table></div>`
    : html`<p>Aucune plage.</p>`
}
<h3 class="fr-h5">Ajouter une plage</h3>
${o.form === 'plage' ? topError(e, ['agent', 'weekday', 'start', 'end', 'validFrom', 'validUntil']) : null}
<form method="post" action="/espace/rendez-vous/plages?structure=${s.id}" novalidate>${o.csrf}
${selectField(
  'agent',
  'Agent',
  mine.map((a) => [a.id, a.name] as const),
  v.agent ?? o.user.principal.id,
  fe('plage', 'agent'),
)}
${selectField(
  'weekday',
  'Jour',
  WEEKDAYS.map((d) => [d, d] as const),
  v.weekday ?? 'lundi',
  fe('plage', 'weekday'),
)}
${field({ name: 'start', label: 'Début (HH:MM)', type: 'time', value: v.start ?? '09:00', error: fe('plage', 'start') })}
${field({ name: 'end', label: 'Fin (HH:MM)', type: 'time', value: v.end ?? '12:00', error: fe('plage', 'end') })}
${field({ name: 'validFrom', label: 'À partir du (facultatif)', type: 'date', value: v.validFrom, error: fe('plage', 'validFrom') })}
${field({ name: 'validUntil', label: 'Jusqu’au (facultatif)', type: 'date', value: v.validUntil, error: fe('plage', 'validUntil') })}
${submit('Ajouter la plage')}
</form>
<h2 class="fr-h4 fr-mt-4w">Absences</h2>
${o.form === 'absence' ? topError(e, ['agent', 'start', 'end']) : null}
<form method="post" action="/espace/rendez-vous/absences?structure=${s.id}" novalidate>${o.csrf}
${selectField(
  'agent',
  'Agent',
  mine.map((a) => [a.id, a.name] as const),
  v.agent ?? o.user.principal.id,
  fe('absence', 'agent'),
)}
${field({ name: 'from', id: 'absence-from', label: 'Du (date et heure locales)', type: 'datetime-local', value: v.from, error: fe('absence', 'start') })}
${field({ name: 'to', id: 'absence-to', label: 'Au (date et heure locales)', type: 'datetime-local', value: v.to, error: fe('absence', 'end') })}
${field({ name: 'label', id: 'absence-label', label: 'Motif de l’absence (facultatif)', value: v.label, maxlength: 200 })}
${submit('Ajouter l’absence')}
</form>`;
  return backOfficePage({
    title: o.canConfigure ? 'Motifs, plages et absences' : 'Mes plages et absences',
    user: o.user,
    csrf: o.csrf,
    body,
    crumbs: [{ label: 'Rendez-vous', href: `/espace/rendez-vous?structure=${s.id}` }],
  });
}

/**
 * Missed appointments for those who follow several structures (responsable, animateur, national): one
 * row per structure of the scope, and a structure's motifs on demand.
 */
export function statisticsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  days: number;
  structures: ReadonlyArray<MissedRate & { id: string; name: string; departement: string }>;
  detail: { structure: Structure; zone: TimeZone; stats: AttendanceStats } | null;
}): string {
  const total = o.structures.reduce((a, s) => a + s.total, 0);
  const body = html`<h1>Rendez-vous non honorés</h1>
${
  o.detail
    ? html`<h2 class="fr-h4">${o.detail.structure.name}</h2>${statsBlock(o.detail.stats, o.detail.zone)}
<p><a class="fr-link" href="/espace/rendez-vous/statistiques">Toutes les structures</a></p>`
    : null
}
<h2 class="fr-h4 fr-mt-4w">Par structure (${String(o.days)} derniers jours)</h2>
<p class="fr-text--sm">Taux d’absence = absents non excusés ÷ rendez-vous dont la présence est renseignée (honorés, excusés, absents), avec son intervalle de confiance à 95 % ; ${String(total)} rendez-vous renseignés en tout. Seules les structures qui ont eu des rendez-vous sont listées. En dessous de ${String(MISSED_RATE_MIN_COUNT)} rendez-vous renseignés, le taux est indicatif.</p>
${
  o.structures.length === 0
    ? html`<p>Aucun rendez-vous passé dans votre périmètre sur cette période.</p>`
    : html`<div class="fr-table"><table><caption>Taux d’absence non excusée par structure</caption>
<thead><tr><th scope="col">Structure</th><th scope="col">Département</th><th scope="col">Rendez-vous renseignés</th><th scope="col">Absents</th><th scope="col">Taux d’absence</th><th scope="col">Présence non renseignée</th></tr></thead>
<tbody>${o.structures.map(
        (s) =>
          html`<tr><td><a href="/espace/rendez-vous/statistiques?structure=${s.id}">${s.name}</a></td><td>${s.departement}</td><td>${String(s.total)}</td><td>${String(s.absent)}</td><td>${rateCell(s)}</td><td>${String(s.nonRenseigne)}</td></tr>`,
      )}</tbody></table></div>`
}`;
  return backOfficePage({ title: 'Rendez-vous non honorés', user: o.user, csrf: o.csrf, body });
}
