import type { MobileUnit, Occurrence, Stop } from '../../../domain/mobile/index.js';
import { isOverseasZone, type TimeZone, timeZoneOf, wallClock } from '../../../domain/shared/time-zone.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, field, submit } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';

/** Back-office pages of a bus (or itinerant) France Services: its passages and its tour document. */

export interface BusStructure {
  readonly id: string;
  readonly idFs: string;
  readonly name: string;
  /** The structure's commune: its clock gives "today" (passages show their own stop's time). */
  readonly codeInsee?: string;
}

export interface PassageError {
  readonly entry: string;
  readonly date: string;
  readonly message: string;
  readonly reason?: string;
}

/** A passage's day and times, on the clock of its stop's commune ("heure locale" overseas). */
const localDay = (d: Date, zone: TimeZone) => wallClock(d, zone).setLocale('fr').toFormat('cccc d LLLL yyyy');
const localTime = (d: Date, zone: TimeZone) => wallClock(d, zone).toFormat('HH:mm');

const STATUS: Record<Occurrence['status'], string> = {
  scheduled: 'Prévu',
  cancelled: 'Annulé',
  moved: 'Déplacé',
};

const crumbsOf = (s: BusStructure) => [{ label: s.name, href: `/espace/structures/${s.id}` }];

function passageRow(o: {
  structure: BusStructure;
  occurrence: Occurrence;
  stop: Stop | undefined;
  communeName: (code: string) => string;
  csrf: SafeHtml;
  error: PassageError | null;
}): SafeHtml {
  const p = o.occurrence;
  const zone = timeZoneOf(p.commune);
  const base = `/espace/structures/${o.structure.id}/bus`;
  const mine = o.error && o.error.entry === p.entry && o.error.date === p.date ? o.error : null;
  const id = `reason-${p.entry}-${p.date}`.replace(/[^a-zA-Z0-9_-]/g, '-');
  const action =
    p.status === 'scheduled' && !p.added
      ? html`<form method="post" action="${base}/annuler">${o.csrf}
  <input type="hidden" name="entry" value="${p.entry}"><input type="hidden" name="date" value="${p.date}">
  ${field({ id, name: 'reason', label: 'Motif (affiché au public)', required: true, maxlength: 300, value: mine?.reason ?? '', error: mine?.message ?? null })}
  ${submit('Annuler ce passage', true)}
</form>`
      : p.status === 'cancelled' || p.status === 'moved'
        ? html`<form method="post" action="${base}/retablir">${o.csrf}
  <input type="hidden" name="entry" value="${p.entry}"><input type="hidden" name="date" value="${p.movedFrom ?? p.date}">
  ${mine ? html`<p class="fr-error-text">${mine.message}</p>` : null}
  ${submit('Rétablir', true)}
</form>`
        : null;
  return html`<tr>
  <td>${localDay(p.start, zone)}<br>${localTime(p.start, zone)} – ${localTime(p.end, zone)}${isOverseasZone(zone) ? ' (heure locale)' : ''}</td>
  <td>${o.stop ? `${o.stop.name} (${o.communeName(o.stop.commune)})` : p.stop}</td>
  <td><strong>${STATUS[p.status]}</strong>${p.reason ? html`<br><span class="fr-text--sm">Motif : ${p.reason}</span>` : null}${p.movedFrom ? html`<br><span class="fr-text--sm">(au lieu du ${p.movedFrom})</span>` : null}</td>
  <td>${action}</td>
</tr>`;
}

export function busPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: BusStructure;
  units: readonly { unit: MobileUnit; passages: readonly Occurrence[]; stops: readonly Stop[] }[];
  communeName: (code: string) => string;
  from: string;
  to: string;
  notice?: string | null;
  error?: PassageError | null;
  topError?: string | null;
}): string {
  const s = o.structure;
  const body = html`<h1>Tournée du bus — ${s.name}</h1>
${o.notice ? alert('success', o.notice) : null}
${o.topError ? alert('error', o.topError) : null}
${o.error && !o.units.some((u) => u.passages.some((p) => p.entry === o.error?.entry && (p.date === o.error?.date || p.movedFrom === o.error?.date))) ? alert('error', o.error.message) : null}
<p>Passages du ${o.from} au ${o.to}. Une annulation apparaît aussitôt sur les pages publiques et les calendriers abonnés.</p>
<ul class="fr-links-group"><li><a class="fr-link" href="/espace/structures/${s.id}/bus/tournee">Modifier la tournée (document JSON)</a></li></ul>
${
  o.units.length === 0
    ? html`<p>Aucun bus n’est encore rattaché à cette structure. Vous pouvez en déclarer un en modifiant la tournée.</p>`
    : o.units.map((u) => {
        const stops = new Map(u.stops.map((st) => [st.id, st]));
        return html`<h2>${u.unit.name}</h2>
<p><a class="fr-link" href="/mobile/${u.unit.id}">Page publique du bus</a></p>
${
  u.passages.length === 0
    ? html`<p>Aucun passage dans les huit prochaines semaines.</p>`
    : html`<div class="fr-table"><table>
<caption>Prochains passages — ${u.unit.name}</caption>
<thead><tr><th scope="col">Date</th><th scope="col">Arrêt</th><th scope="col">État</th><th scope="col">Action</th></tr></thead>
<tbody>${u.passages.map((p) => passageRow({ structure: s, occurrence: p, stop: stops.get(p.stop), communeName: o.communeName, csrf: o.csrf, error: o.error ?? null }))}</tbody>
</table></div>`
}`;
      })
}`;
  return backOfficePage({ title: 'Tournée du bus', user: o.user, csrf: o.csrf, body, crumbs: crumbsOf(s) });
}

export function tourPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: BusStructure;
  document: string;
  errors?: readonly string[];
  needsConfirmation?: boolean;
}): string {
  const s = o.structure;
  const errors = o.errors ?? [];
  const body = html`<h1>Modifier la tournée — ${s.name}</h1>
${
  errors.length > 0
    ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">La tournée n’a pas été modifiée</h2><ul>${errors.slice(0, 50).map((e) => html`<li>${e}</li>`)}</ul></div>`
    : null
}
<p>Le document décrit les bus de la structure (n° ${s.idFs}), leurs arrêts, leurs passages réguliers et leurs exceptions (format décrit dans docs/mobile-schema.md). Enregistrer remplace la tournée des bus qu’il nomme.</p>
<form method="post" action="/espace/structures/${s.id}/bus/tournee">${o.csrf}
  <div class="fr-input-group${errors.length > 0 ? ' fr-input-group--error' : ''}">
    <label class="fr-label" for="document">Document de la tournée (JSON)</label>
    <textarea class="fr-input maillage-code${errors.length > 0 ? ' fr-input--error' : ''}" id="document" name="document" rows="30" spellcheck="false">${o.document}</textarea>
  </div>
  <div class="fr-checkbox-group fr-mb-3w">
    <input type="checkbox" id="confirm" name="confirm" value="oui">
    <label class="fr-label" for="confirm">Je confirme les arrêts éloignés de plus de 200 km de la structure${o.needsConfirmation ? ' (confirmation demandée)' : ''}</label>
  </div>
  ${submit('Enregistrer la tournée')}
  <a class="fr-btn fr-btn--tertiary fr-ml-2w" href="/espace/structures/${s.id}/bus">Retour aux passages</a>
</form>`;
  return backOfficePage({
    title: 'Modifier la tournée',
    user: o.user,
    csrf: o.csrf,
    body,
    crumbs: [...crumbsOf(s), { label: 'Tournée du bus', href: `/espace/structures/${s.id}/bus` }],
  });
}
