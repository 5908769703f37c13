import type { Structure } from '../../../domain/directory/structure.js';
import {
  CHANNEL_LABELS,
  CONTACT_RETENTION_DAYS,
  type Motif,
  mondayOf,
  NAME_MAX,
  partnerLabel,
  type Slot,
  type SlotWeek,
  STATUS_LABELS,
  type Status,
} from '../../../domain/rendezvous/index.js';
import { isOverseasZone, type TimeZone, toLocalIso, wallClock } from '../../../domain/shared/time-zone.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, errorFor, type FormError, field, topError } from '../accounts/forms.js';
import { page } from '../layout.js';

/** The public booking pages (issue 15): motif, slot, contact, confirmation; cancel and move. No JS needed. */

const local = (zone: TimeZone) => (isOverseasZone(zone) ? ' (heure locale)' : '');
export const dayTitle = (instant: Date, zone: TimeZone) =>
  wallClock(instant, zone).setLocale('fr').toFormat('cccc d LLLL yyyy');
export const hhmm = (instant: Date, zone: TimeZone) => wallClock(instant, zone).toFormat('HH:mm');
export const whenText = (instant: Date, zone: TimeZone) =>
  `${dayTitle(instant, zone)} à ${hhmm(instant, zone)}${local(zone)}`;

const crumbs = (s: Structure, last: string) => [
  { label: 'Accueil', href: '/' },
  { label: s.name, href: `/structures/${s.id}` },
  { label: last },
];

export const motifLine = (m: Motif): string =>
  `${m.durationMin} minutes · ${CHANNEL_LABELS[m.channel]}${m.partner ? ` · ${partnerLabel(m.partner)}` : ''}`;

export function motifsPage(s: Structure, motifs: readonly Motif[]): string {
  const body = html`<h1>Prendre rendez-vous à ${s.name}</h1>
<p class="fr-text--lead">Étape 1 sur 3 : choisissez l’objet de votre rendez-vous.</p>
${
  motifs.length === 0
    ? html`<p>Cette France Services ne propose pas de rendez-vous en ligne pour le moment. Appelez-la ou écrivez-lui : ses coordonnées sont sur <a href="/structures/${s.id}">sa page</a>.</p>`
    : html`<ul class="fr-raw-list">${motifs.map(
        (
          m,
        ) => html`<li class="fr-mb-2w"><div class="fr-card fr-enlarge-link fr-card--horizontal fr-card--sm"><div class="fr-card__body"><div class="fr-card__content">
<h2 class="fr-card__title fr-h5"><a href="/structures/${s.id}/rendez-vous/${m.id}">${m.label}</a></h2>
<p class="fr-card__desc">${motifLine(m)}</p></div></div></div></li>`,
      )}</ul>`
}`;
  return page({
    title: `Prendre rendez-vous – ${s.name}`,
    body,
    breadcrumb: crumbs(s, 'Prendre rendez-vous'),
  });
}

/** Radio buttons of slots grouped by local day; `name` is the field, values are ISO instants. */
function slotRadios(slots: readonly Slot[], zone: TimeZone, name: string, error: string | null): SafeHtml {
  const days = new Map<string, Slot[]>();
  for (const s of slots) {
    const d = dayTitle(s.start, zone);
    days.set(d, [...(days.get(d) ?? []), s]);
  }
  let i = 0;
  return html`${[...days.entries()].map(
    ([
      day,
      list,
    ]) => html`<fieldset class="fr-fieldset${error ? ' fr-fieldset--error' : ''}"${error ? html` aria-describedby="slot-error"` : null}>
<legend class="fr-fieldset__legend fr-text--regular">${day.charAt(0).toUpperCase()}${day.slice(1)}</legend>
${list.map((s) => {
  i += 1;
  return html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group">
<input type="radio" id="creneau-${i}" name="${name}" value="${toLocalIso(s.start, zone)}" required>
<label class="fr-label" for="creneau-${i}">${hhmm(s.start, zone)}</label></div></div>`;
})}
</fieldset>`,
  )}${error ? html`<p id="slot-error" class="fr-error-text">${error}</p>` : null}`;
}

function weekNav(base: string, week: SlotWeek): SafeHtml {
  return html`<nav class="fr-mt-2w" aria-label="Semaines"><ul class="fr-btns-group fr-btns-group--inline-sm">
${week.previous ? html`<li><a class="fr-btn fr-btn--secondary" href="${base}semaine=${week.previous}">Semaine précédente</a></li>` : null}
${week.next ? html`<li><a class="fr-btn fr-btn--secondary" href="${base}semaine=${week.next}">Semaine suivante</a></li>` : null}
</ul></nav>`;
}

export function slotsPage(o: {
  structure: Structure;
  motif: Motif;
  zone: TimeZone;
  slots: readonly Slot[];
  week: SlotWeek;
  error?: string | null;
}): string {
  const { structure: s, motif: m, zone, week } = o;
  const base = `/structures/${s.id}/rendez-vous/${m.id}?`;
  const title = `Choisir un créneau – ${m.label}`;
  const body = html`<h1>${m.label}</h1>
<p class="fr-text--lead">Étape 2 sur 3 : choisissez un créneau (${motifLine(m)}).</p>
<h2 class="fr-h5">Semaine du ${dayTitle(new Date(`${week.monday}T12:00:00Z`), zone)}${local(zone)}</h2>
${o.error ? alert('error', o.error) : null}
${
  o.slots.length === 0
    ? html`<p>Aucun créneau libre cette semaine.${o.week.nextFree ? html` Prochain créneau libre : <a href="${base}semaine=${mondayOf(o.week.nextFree.start, zone)}">${whenText(o.week.nextFree.start, zone)}</a>.` : ' Aucun créneau libre dans les 8 prochaines semaines : appelez la France Services.'}</p>`
    : html`<form method="get" action="/structures/${s.id}/rendez-vous/${m.id}/reserver">
${slotRadios(o.slots, zone, 'debut', null)}
<button class="fr-btn" type="submit">Continuer</button>
</form>`
}
${weekNav(base, week)}
<p class="fr-mt-3w"><a class="fr-link" href="/structures/${s.id}/rendez-vous">Choisir un autre motif</a></p>`;
  return page({ title, body, breadcrumb: crumbs(s, 'Prendre rendez-vous') });
}

export interface ContactValues {
  readonly name?: string;
  readonly email?: string;
  readonly phone?: string;
}

export function contactPage(o: {
  structure: Structure;
  motif: Motif;
  zone: TimeZone;
  start: Date;
  csrf: SafeHtml;
  values?: ContactValues;
  error?: FormError | null;
}): string {
  const { structure: s, motif: m, zone } = o;
  const v = o.values ?? {};
  const e = o.error ?? null;
  const body = html`<h1>Vos coordonnées</h1>
<p class="fr-text--lead">Étape 3 sur 3 : ${m.label}, le ${whenText(o.start, zone)}, à ${s.name}.</p>
${topError(e, ['name', 'email', 'phone'])}
${e?.field === 'start' ? html`<p><a class="fr-link" href="/structures/${s.id}/rendez-vous/${m.id}?semaine=${mondayOf(o.start, zone)}">Choisir un autre créneau</a></p>` : null}
<form method="post" action="/structures/${s.id}/rendez-vous/${m.id}/reserver" novalidate>
${o.csrf}
<input type="hidden" name="debut" value="${toLocalIso(o.start, zone)}">
${field({ name: 'name', label: 'Nom et prénom', value: v.name, error: errorFor(e, 'name'), autocomplete: 'name', required: true, maxlength: NAME_MAX })}
<p class="fr-text--sm">Indiquez au moins un moyen de vous joindre : la confirmation et le rappel 48 h avant y seront envoyés.</p>
${field({ name: 'email', label: 'Adresse électronique', hint: 'Format attendu : nom@exemple.fr', type: 'email', value: v.email, error: errorFor(e, 'email'), autocomplete: 'email', maxlength: 254 })}
${field({ name: 'phone', label: 'Téléphone', hint: 'Exemple : 06 12 34 56 78', type: 'tel', value: v.phone, error: errorFor(e, 'phone'), autocomplete: 'tel', maxlength: 30 })}
<p class="fr-text--sm">Vos coordonnées servent uniquement à ce rendez-vous ; elles sont effacées ${CONTACT_RETENTION_DAYS} jours après.</p>
<button class="fr-btn" type="submit">Confirmer le rendez-vous</button>
</form>`;
  return page({ title: `Vos coordonnées – ${m.label}`, body, breadcrumb: crumbs(s, 'Prendre rendez-vous') });
}

export function managePage(o: {
  structure: Structure;
  motif: Motif;
  zone: TimeZone;
  status: Status;
  start: Date;
  version: number;
  token: string;
  csrf: SafeHtml;
  notice?: string | null;
  error?: string | null;
  editable: boolean;
}): string {
  const { structure: s, motif: m, zone } = o;
  const cancelled = o.status === 'annule';
  const body = html`<h1>${cancelled ? 'Rendez-vous annulé' : 'Votre rendez-vous'}</h1>
${o.notice ? alert('success', o.notice) : null}
${o.error ? alert('error', o.error) : null}
<dl>
<dt class="fr-text--bold">Quand</dt><dd>${whenText(o.start, zone)}</dd>
<dt class="fr-text--bold">Où</dt><dd>${s.name}, ${s.address}, ${s.postalCode} ${s.communeName}</dd>
<dt class="fr-text--bold">Motif</dt><dd>${m.label} (${motifLine(m)})</dd>
<dt class="fr-text--bold">État</dt><dd>${STATUS_LABELS[o.status]}</dd>
</dl>
${
  o.editable
    ? html`<p>Gardez cette page ou le courriel de confirmation : leur lien est personnel et permet d’annuler ou de déplacer ce rendez-vous.</p>
<ul class="fr-btns-group fr-btns-group--inline-md">
<li><a class="fr-btn fr-btn--secondary" href="/rendez-vous/deplacer?jeton=${o.token}">Déplacer le rendez-vous</a></li>
<li><form method="post" action="/rendez-vous/annuler">${o.csrf}<input type="hidden" name="jeton" value="${o.token}"><input type="hidden" name="version" value="${String(o.version)}"><button class="fr-btn fr-btn--tertiary" type="submit">Annuler le rendez-vous</button></form></li>
</ul>`
    : cancelled
      ? html`<p><a class="fr-link" href="/structures/${s.id}/rendez-vous">Prendre un autre rendez-vous</a></p>`
      : null
}`;
  return page({
    title: `${cancelled ? 'Rendez-vous annulé' : 'Votre rendez-vous'} – ${s.name}`,
    body,
    breadcrumb: crumbs(s, 'Votre rendez-vous'),
  });
}

export function movePage(o: {
  structure: Structure;
  motif: Motif;
  zone: TimeZone;
  start: Date;
  token: string;
  version: number;
  slots: readonly Slot[];
  week: SlotWeek;
  csrf: SafeHtml;
  error?: string | null;
}): string {
  const { structure: s, motif: m, zone } = o;
  const base = `/rendez-vous/deplacer?jeton=${encodeURIComponent(o.token)}&`;
  const body = html`<h1>Déplacer le rendez-vous</h1>
<p class="fr-text--lead">Actuellement : ${whenText(o.start, zone)} (${m.label}). Choisissez un nouveau créneau.</p>
${o.error ? alert('error', o.error) : null}
${
  o.slots.length === 0
    ? html`<p>Aucun créneau libre cette semaine.${o.week.nextFree ? html` Prochain créneau libre : <a href="${base}semaine=${mondayOf(o.week.nextFree.start, zone)}">${whenText(o.week.nextFree.start, zone)}</a>.` : null}</p>`
    : html`<form method="post" action="/rendez-vous/deplacer">${o.csrf}
<input type="hidden" name="jeton" value="${o.token}"><input type="hidden" name="version" value="${String(o.version)}">
${slotRadios(o.slots, zone, 'debut', null)}
<button class="fr-btn" type="submit">Déplacer à ce créneau</button></form>`
}
${weekNav(base, o.week)}
<p class="fr-mt-3w"><a class="fr-link" href="/rendez-vous/gerer?jeton=${o.token}">Garder le rendez-vous actuel</a></p>`;
  return page({ title: `Déplacer le rendez-vous – ${s.name}`, body, breadcrumb: crumbs(s, 'Déplacer') });
}
