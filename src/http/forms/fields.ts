import { Type } from '@fastify/type-provider-typebox';

/**
 * The schema of an optional form text of at most `maxLength` characters: browsers post every field as text
 * (a missing one is the empty answer), bounded here and checked by the domain afterwards. The one schema
 * factory of the forms (it was `str`, `text`, `Text` and `field`; issue 11). A function that reads or
 * checks a value, rather than describing its schema, has another name (`bodyField`, the domain's `text`).
 */
export const optionalText = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
