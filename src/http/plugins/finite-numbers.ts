// A type only: AJV is Fastify's own validator (no direct dependency at run time).
import type { Ajv } from 'ajv';
import type { RouteOptions } from 'fastify';

/**
 * Finding 7 (issue 9): AJV coerces the query string `Infinity` (and `1e309`, `-Infinity`) to a JavaScript
 * `Infinity`, and then skips `minimum`/`maximum`, which it checks only on finite numbers. So `limit=Infinity`
 * passed a cap of 50 and `page=Infinity` reached SQL. The fix lives here, once, for every route:
 * - the AJV keyword `x-finite` refuses any number that is not finite, whatever the coercion made of the text;
 * - `markFiniteNumbers` puts that keyword on every number and integer of a route's input schemas when the route
 *   is declared, so no route (present or future) can forget it. The OpenAPI document shows it as an extension.
 */
export const FINITE_KEYWORD = 'x-finite';

/** AJV plugin (Fastify's `ajv.plugins`). No `type` restriction on purpose: AJV would then skip it for Infinity. */
export function finiteNumbersAjvPlugin(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: FINITE_KEYWORD,
    schemaType: 'boolean',
    errors: false,
    validate: (wanted: boolean, data: unknown) =>
      !wanted || typeof data !== 'number' || Number.isFinite(data),
  });
  return ajv;
}

type SchemaNode = Record<string, unknown>;

const isNode = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

function isNumeric(node: SchemaNode): boolean {
  const t = node.type;
  return (
    t === 'number' ||
    t === 'integer' ||
    (Array.isArray(t) && t.some((x) => x === 'number' || x === 'integer'))
  );
}

/** Adds `x-finite: true` to every numeric node of a JSON schema, in place (idempotent). */
export function markFiniteNumbers(schema: unknown, seen = new Set<unknown>()): void {
  if (!isNode(schema) || seen.has(schema)) return;
  seen.add(schema);
  if (isNumeric(schema)) schema[FINITE_KEYWORD] = true;
  for (const key of ['properties', 'patternProperties', 'definitions', '$defs']) {
    const group = schema[key];
    if (isNode(group)) for (const child of Object.values(group)) markFiniteNumbers(child, seen);
  }
  for (const key of ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains']) {
    markFiniteNumbers(schema[key], seen);
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems', 'items']) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) markFiniteNumbers(child, seen);
  }
}

/** `onRoute` hook: the route's inputs (query, params, body, headers) accept finite numbers only. */
export function finiteRouteInputs(route: RouteOptions): void {
  const schema = route.schema as Record<string, unknown> | undefined;
  if (!schema) return;
  for (const part of ['querystring', 'params', 'body', 'headers']) markFiniteNumbers(schema[part]);
}
