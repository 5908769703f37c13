/**
 * Server-rendered views are typed functions returning SafeHtml. Every interpolated value is escaped
 * unless it is already SafeHtml, so escaping is the default and opting out is visible (`raw`).
 * A template language would lose the types; this tag is all we need.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

type Interpolation = SafeHtml | string | number | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Trusted markup only (built by our own code, never user text). */
export const raw = (markup: string): SafeHtml => new SafeHtml(markup);

/** JSON for a `<script type="application/json">` data island: `<` is escaped so text cannot close the tag. */
export const jsonIsland = (id: string, data: unknown): SafeHtml =>
  raw(
    `<script type="application/json" id="${escapeHtml(id)}">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>`,
  );
