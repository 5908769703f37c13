import type { MobileData, Occurrence, Stop } from '../../../domain/mobile/index.js';
import { isOverseasZone, type TimeZone, timeZoneOf, wallClock } from '../../../domain/shared/time-zone.js';
import { html, type SafeHtml } from '../../html.js';
import { page } from '../layout.js';

/** "mardi 5 mai 2026", on the clock of a zone (a passage: its stop's commune's). */
export const frenchDay = (d: Date, zone: TimeZone): string =>
  wallClock(d, zone).setLocale('fr').toFormat('cccc d LLLL yyyy');
/** "9 h", "13 h 30" */
export function frenchTime(d: Date, zone: TimeZone): string {
  const t = wallClock(d, zone);
  return t.minute === 0 ? `${t.hour} h` : `${t.hour} h ${String(t.minute).padStart(2, '0')}`;
}
/** "de 9 h à 12 h", in the local time of the passage's commune; "(heure locale)" overseas. */
export function frenchSlot(o: Pick<Occurrence, 'start' | 'end' | 'commune'>): string {
  const zone = timeZoneOf(o.commune);
  const local = isOverseasZone(zone) ? ' (heure locale)' : '';
  return `de ${frenchTime(o.start, zone)} à ${frenchTime(o.end, zone)}${local}`;
}
/** The day of a passage, in its commune's time. */
export const passageDay = (o: Pick<Occurrence, 'start' | 'commune'>): string =>
  frenchDay(o.start, timeZoneOf(o.commune));

export const STOP_KIND_LABELS: Record<Stop['kind'], string> = {
  mairie: 'Mairie',
  marché: 'Marché',
  place: 'Place',
  'centre commercial': 'Centre commercial',
  autre: 'Autre lieu',
};

export interface PassagesView {
  readonly title: string;
  readonly heading: string;
  readonly lead?: string;
  readonly data: MobileData;
  readonly next: readonly Occurrence[];
  readonly current?: Occurrence;
  /** Path of the feed (the link), and its absolute address (to subscribe). */
  readonly feedUrl: string;
  readonly feedAddress?: string;
  readonly communeName: (code: string) => string;
  readonly breadcrumb?: ReadonlyArray<{ label: string; href?: string }>;
  readonly extra?: SafeHtml;
  readonly embed?: boolean;
  /** Link the full page opens from the widget. */
  readonly pageUrl?: string;
}

function statusBadge(o: Occurrence): SafeHtml {
  if (o.status === 'cancelled') return html`<p class="fr-badge fr-badge--error fr-badge--sm">Annulé</p>`;
  if (o.status === 'moved') return html`<p class="fr-badge fr-badge--warning fr-badge--sm">Déplacé</p>`;
  return html`<p class="fr-badge fr-badge--success fr-badge--sm fr-badge--no-icon">Prévu</p>`;
}

function passageRows(v: PassagesView): SafeHtml {
  const stops = new Map(v.data.stops.map((s) => [s.id, s]));
  return html`${v.next.map((o) => {
    const stop = stops.get(o.stop);
    const note =
      o.status === 'cancelled'
        ? html`Passage annulé${o.reason ? html` : ${o.reason}` : null}.`
        : o.status === 'moved'
          ? html`Déplacé (prévu le ${o.movedFrom?.split('-').reverse().join('/')})${o.reason ? html` : ${o.reason}` : null}.`
          : o.added
            ? html`Passage supplémentaire.`
            : null;
    return html`<tr${o.status === 'cancelled' ? html` class="maillage-cancelled"` : null}>
      <td>${o.status === 'cancelled' ? html`<del>${passageDay(o)}</del>` : passageDay(o)}</td>
      <td>${frenchSlot(o)}</td>
      <td>${stop ? html`<a href="/mobile/stops/${stop.id}"${v.embed ? html` target="_top"` : null}>${stop.name}</a>, ${v.communeName(stop.commune)}` : o.stop}</td>
      <td>${statusBadge(o)}${note ? html` <span class="fr-text--sm">${note}</span>` : null}</td>
    </tr>`;
  })}`;
}

export function passagesTable(v: PassagesView): SafeHtml {
  if (v.next.length === 0) {
    return html`<div class="fr-callout"><p class="fr-callout__text">Aucun passage n’est programmé pour le moment.</p></div>`;
  }
  return html`<div class="fr-table fr-table--no-caption"><table>
    <caption>Prochains passages</caption>
    <thead><tr><th scope="col">Date</th><th scope="col">Horaires</th><th scope="col">Lieu</th><th scope="col">État</th></tr></thead>
    <tbody>${passageRows(v)}</tbody>
  </table></div>`;
}

function nowBox(v: PassagesView): SafeHtml {
  const stops = new Map(v.data.stops.map((s) => [s.id, s]));
  if (v.current) {
    const s = stops.get(v.current.stop);
    return html`<div class="fr-alert fr-alert--success fr-mb-3w"><p><strong>Ouvert maintenant</strong> : le bus est ${
      s ? html`à ${s.name}, ${v.communeName(s.commune)}` : 'sur place'
    } jusqu’à ${frenchTime(v.current.end, timeZoneOf(v.current.commune))}${
      isOverseasZone(timeZoneOf(v.current.commune)) ? ' (heure locale)' : ''
    }.</p></div>`;
  }
  return html`<p class="fr-mb-2w"><span class="fr-badge fr-badge--sm">Fermé maintenant</span> Le bus n’est pas sur place en ce moment.</p>`;
}

/** "Prochains passages" for a bus, a stop or a commune. */
export function passagesPage(v: PassagesView): string {
  const body = v.embed
    ? html`<h1 class="fr-h5">${v.heading}</h1>
${v.lead ? html`<p>${v.lead}</p>` : null}
${nowBox(v)}
${passagesTable({ ...v, next: v.next.slice(0, 6) })}
${v.pageUrl ? html`<p><a class="fr-link" href="${v.pageUrl}" target="_blank" rel="noopener">Tous les passages et le calendrier<span class="fr-sr-only"> (nouvelle fenêtre)</span></a></p>` : null}`
    : html`<h1>${v.heading}</h1>
${v.lead ? html`<p class="fr-text--lead">${v.lead}</p>` : null}
${nowBox(v)}
${v.extra ?? null}
<h2>Prochains passages</h2>
${passagesTable(v)}
<h2 class="fr-h4">S’abonner au calendrier</h2>
<p>Ajoutez ce calendrier à votre agenda (téléphone, ordinateur) : les annulations et les changements y apparaissent d’eux-mêmes.</p>
<ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left">
  <li><a class="fr-btn fr-btn--secondary fr-icon-calendar-line fr-btn--icon-left" href="${v.feedUrl}" download>Télécharger le calendrier (.ics)</a></li>
</ul>
<p class="fr-text--sm">Adresse d’abonnement : <code>${v.feedAddress ?? v.feedUrl}</code></p>`;
  return page({
    title: v.title,
    body,
    ...(v.breadcrumb ? { breadcrumb: v.breadcrumb } : {}),
    ...(v.embed ? { embed: true } : {}),
    description: v.lead ?? v.heading,
  });
}

/** The sentence of the commune page: "Le bus France Services passe à Guise le mardi 5 mai 2026 de 9 h à 12 h." */
export function communeSentence(
  commune: string,
  next: readonly Occurrence[],
  stops: ReadonlyMap<string, Stop>,
): string {
  const o = next.find((x) => x.status !== 'cancelled');
  if (!o) return `Aucun passage du bus France Services n’est programmé à ${commune} pour le moment.`;
  const s = stops.get(o.stop);
  return `Le bus France Services passe à ${commune} le ${passageDay(o)} ${frenchSlot(o)}${s ? ` (${s.name})` : ''}.`;
}

export function communeExtra(code: string, publicUrl: string): SafeHtml {
  const widget = `${publicUrl}/communes/${code}/mobile/widget`;
  return html`<ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mb-3w">
  <li><a class="fr-btn fr-btn--tertiary fr-icon-printer-line fr-btn--icon-left" href="/communes/${code}/affiche.pdf">Affiche à imprimer (PDF, A4)</a></li>
</ul>
<details class="fr-mb-3w"><summary>Intégrer ce calendrier au site de la commune</summary>
<p>Copiez ce code dans une page de votre site :</p>
<pre><code>&lt;iframe src="${widget}" title="Passages du bus France Services" width="100%" height="420" style="border:0"&gt;&lt;/iframe&gt;</code></pre>
</details>`;
}
