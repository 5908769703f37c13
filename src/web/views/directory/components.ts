import type { PublicOpening } from '../../../domain/directory/locator.js';
import { describeOpeningState } from '../../../domain/directory/opening-hours.js';
import {
  FORMAT_LABELS,
  isMobileFormat,
  PARTNER_LABELS,
  type Structure,
} from '../../../domain/directory/structure.js';
import { FRENCH_MONTHS as MONTHS } from '../../../domain/shared/time.js';
import { METROPOLITAN_ZONE, type TimeZone, wallClock } from '../../../domain/shared/time-zone.js';
import { html, type SafeHtml } from '../../html.js';

/** Pieces shared by the public directory pages: opening sentence, distance, contact, badges. */

const frNumber = (n: number, digits: number) =>
  n.toLocaleString('fr-FR', { maximumFractionDigits: digits, minimumFractionDigits: 0 });

/** `à 3,2 km` / `à 800 m`. */
export function formatDistance(km: number): string {
  if (km < 1) return `à ${Math.max(10, Math.round((km * 1000) / 10) * 10)} m`;
  return `à ${frNumber(km, km < 10 ? 1 : 0)} km`;
}

/** `environ 9 min en voiture` / `environ 1 h 20 en voiture`. */
export function formatTravel(minutes: number): string {
  if (minutes < 60) return `environ ${minutes} min en voiture`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `environ ${h} h${m ? ` ${String(m).padStart(2, '0')}` : ''} en voiture`;
}

/** `2026-12-24` → `24 décembre 2026` (`1er` for the first). */
export function frenchDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  if (!y || !m || !d) return iso;
  return `${d === 1 ? '1er' : d} ${MONTHS[m - 1]} ${y}`;
}

/** `3 décembre 2026 à 14:05` on the wall clock of a zone (national moments: metropolitan). */
export function frenchDateTime(at: Date, zone: TimeZone = METROPOLITAN_ZONE): string {
  const p = wallClock(at, zone);
  return `${frenchDate(p.toISODate() ?? '')} à ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

export interface OpeningLine {
  readonly text: string;
  readonly tone: 'open' | 'closed' | 'remote';
}

/** The public sentence: status first (closed, remote only), then the hours. */
export function openingLine(s: Structure, opening: PublicOpening, at: Date): OpeningLine {
  if (s.status === 'fermee_definitivement') return { text: 'Fermée définitivement', tone: 'closed' };
  if (opening.closedByStatus) {
    return {
      text: `Fermée temporairement${s.statusUntil ? ` jusqu’au ${frenchDate(s.statusUntil)} inclus` : ''}`,
      tone: 'closed',
    };
  }
  if (opening.remoteOnly) return { text: 'Accueil à distance uniquement', tone: 'remote' };
  const sentence = describeOpeningState(opening, at);
  const closure =
    !opening.open && opening.closure ? ` (fermeture exceptionnelle : ${opening.closure.message})` : '';
  return { text: sentence + closure, tone: opening.open ? 'open' : 'closed' };
}

export function openingBadge(line: OpeningLine): SafeHtml {
  const cls =
    line.tone === 'open' ? 'maillage-open' : line.tone === 'closed' ? 'maillage-closed' : 'maillage-remote';
  return html`<p class="${cls} fr-mb-1w">${line.text}</p>`;
}

/** `03 23 00 00 00` → `tel:+33323000000`; other numbers keep their digits. */
export function telHref(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  if (/^0\d{9}$/.test(digits)) return `tel:+33${digits.slice(1)}`;
  return `tel:${digits}`;
}

export function contactLinks(s: Structure): SafeHtml {
  const items: SafeHtml[] = [];
  // Every published number and address: some structures have several (official file).
  for (const phone of s.telephones) {
    items.push(html`<li>Téléphone : <a href="${telHref(phone)}">${phone}</a></li>`);
  }
  for (const email of s.emails) items.push(html`<li>Courriel : <a href="mailto:${email}">${email}</a></li>`);
  if (items.length === 0) return html`<p>Aucun contact à distance n’est publié.</p>`;
  return html`<ul class="maillage-contact">${items}</ul>`;
}

export function formatBadges(s: Structure, onlineBooking = false): SafeHtml {
  const badges: SafeHtml[] = [];
  if (onlineBooking)
    badges.push(
      html`<li><p class="fr-badge fr-badge--success fr-badge--sm">Rendez-vous en ligne sous 14 jours</p></li>`,
    );
  if (isMobileFormat(s.format)) {
    badges.push(html`<li><p class="fr-badge fr-badge--new fr-badge--sm">${FORMAT_LABELS[s.format]}</p></li>`);
  }
  if (s.type === 'antenne') badges.push(html`<li><p class="fr-badge fr-badge--sm">Antenne</p></li>`);
  if (s.appointment)
    badges.push(html`<li><p class="fr-badge fr-badge--info fr-badge--sm">Sur rendez-vous possible</p></li>`);
  return badges.length ? html`<ul class="fr-badges-group">${badges}</ul>` : html``;
}

export function partnersList(s: Structure): SafeHtml {
  if (s.partners.length === 0) return html`<p>Aucun partenaire renseigné.</p>`;
  return html`<ul>${s.partners.map((p) => html`<li>${PARTNER_LABELS[p]}</li>`)}</ul>`;
}

/** One line: `CAF, Assurance maladie, …` for compact cards. */
export const partnersShort = (s: Structure): string =>
  s.partners.length === 9
    ? 'Les 9 partenaires nationaux'
    : s.partners.map((p) => PARTNER_LABELS[p].replace(/ \(.*\)$/, '')).join(', ');

export function postalAddress(s: Structure): SafeHtml {
  return html`${s.address}${s.addressComplement ? html`<br>${s.addressComplement}` : null}<br>${s.postalCode} ${s.communeName}`;
}

/** Map points for the map island (`jsonIsland`). */
export interface MapPoint {
  readonly lat: number;
  readonly lon: number;
  readonly name: string;
  readonly url: string;
  readonly label: string;
  readonly tone: OpeningLine['tone'];
  readonly rank?: number;
}

export interface MapData {
  readonly points: readonly MapPoint[];
  readonly center: { lat: number; lon: number; label: string } | null;
  readonly tileUrl: string | null;
  readonly attribution: string;
  readonly outlinesUrl: string;
  readonly newTab?: boolean;
}

/** The outlines URL for a map showing these departments only (sorted, so the same map has one cached URL). */
export function outlinesFor(base: string, departements: readonly string[]): string {
  const codes = [...new Set(departements)].sort();
  return codes.length ? `${base}?dep=${codes.join(',')}` : base;
}

export function mapBlock(id: string, label: string): SafeHtml {
  return html`<div id="${id}" class="maillage-map fr-mb-4w" hidden role="region" aria-label="${label}"></div>`;
}

export const DIRECTORY_CSS = '/assets/app/directory.css';
