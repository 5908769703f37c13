import {
  ESCALADE_PARTNERS,
  type EscaladePartner,
  FILE_NUMBER_LABELS,
  partnerLabel,
} from '../../../domain/escalade/index.js';
import { timeZoneOf } from '../../../domain/shared/time-zone.js';
import { html, type SafeHtml } from '../../html.js';
import type { FormError } from '../accounts/forms.js';
import { frDateTime } from '../backoffice/chrome.js';

export const at = (d: Date | string | null | undefined, commune: string) =>
  frDateTime(d, timeZoneOf(commune));

export const lateBadge = (late: boolean) =>
  late ? html`<p class="fr-badge fr-badge--error fr-badge--sm fr-mb-0">En retard</p>` : null;

/** A select with its label, error linked by aria-describedby. */
export function select(o: {
  name: string;
  label: string;
  options: ReadonlyArray<readonly [string, string]>;
  value?: string;
  error?: string | null;
  hint?: string;
  placeholder?: string;
}): SafeHtml {
  const err = o.error ? `${o.name}-error` : null;
  return html`<div class="fr-select-group${o.error ? ' fr-select-group--error' : ''}">
  <label class="fr-label" for="${o.name}">${o.label}${o.hint ? html`<span class="fr-hint-text">${o.hint}</span>` : null}</label>
  <select class="fr-select" id="${o.name}" name="${o.name}"${err ? html` aria-describedby="${err}" aria-invalid="true"` : null}>
    ${o.placeholder ? html`<option value="">${o.placeholder}</option>` : null}
    ${o.options.map(([v, l]) => html`<option value="${v}"${v === o.value ? html` selected` : null}>${l}</option>`)}
  </select>
  ${o.error ? html`<p id="${err}" class="fr-error-text">${o.error}</p>` : null}
</div>`;
}

export const partnerOptions = ESCALADE_PARTNERS.map((p) => [p, partnerLabel(p)] as const);
export const fileNumberHints = ESCALADE_PARTNERS.map(
  (p: EscaladePartner) => `${partnerLabel(p)} : ${FILE_NUMBER_LABELS[p]}`,
);

export const errorOf = (e: FormError | null | undefined, name: string) =>
  e && e.field === name ? e.message : null;
