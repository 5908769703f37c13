import { html, type SafeHtml } from '../../html.js';

/** DSFR form pieces shared by the account and back-office pages. */

export interface FieldOptions {
  readonly name: string;
  readonly label: string;
  readonly value?: string | null;
  readonly type?: string;
  readonly hint?: string;
  readonly error?: string | null;
  readonly autocomplete?: string;
  readonly required?: boolean;
  readonly textarea?: boolean;
  readonly maxlength?: number;
  readonly id?: string;
}

export function field(o: FieldOptions): SafeHtml {
  const id = o.id ?? o.name.replace(/[^a-zA-Z0-9_-]/g, '-');
  const described = o.error ? `${id}-error` : undefined;
  const attrs = html`id="${id}" name="${o.name}"${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : null}${o.required ? html` required` : null}${o.maxlength ? html` maxlength="${o.maxlength}"` : null}${described ? html` aria-describedby="${described}" aria-invalid="true"` : null}`;
  return html`<div class="fr-input-group${o.error ? ' fr-input-group--error' : ''}">
  <label class="fr-label" for="${id}">${o.label}${o.hint ? html`<span class="fr-hint-text">${o.hint}</span>` : null}</label>
  ${
    o.textarea
      ? html`<textarea class="fr-input${o.error ? ' fr-input--error' : ''}" ${attrs} rows="4">${o.value ?? ''}</textarea>`
      : html`<input class="fr-input${o.error ? ' fr-input--error' : ''}" type="${o.type ?? 'text'}" ${attrs} value="${o.value ?? ''}">`
  }
  ${o.error ? html`<p id="${described}" class="fr-error-text">${o.error}</p>` : null}
</div>`;
}

export const alert = (
  kind: 'error' | 'success' | 'info' | 'warning',
  message: string | SafeHtml,
  title?: string,
) =>
  html`<div class="fr-alert fr-alert--${kind}${title ? '' : ' fr-alert--sm'} fr-mb-3w" role="${kind === 'error' ? 'alert' : 'status'}">${title ? html`<h2 class="fr-alert__title">${title}</h2>` : null}<p>${message}</p></div>`;

export const submit = (label: string, secondary = false) =>
  html`<button class="fr-btn${secondary ? ' fr-btn--secondary' : ''}" type="submit">${label}</button>`;

/** An error belongs to a field when its `field` names it; otherwise it is shown at the top. */
export interface FormError {
  readonly field: string | null;
  readonly message: string;
}
export const errorFor = (e: FormError | null | undefined, name: string) =>
  e && e.field === name ? e.message : null;
export const topError = (e: FormError | null | undefined, fields: readonly string[]) =>
  e && (!e.field || !fields.includes(e.field)) ? alert('error', e.message) : null;
