import { type Static, Type } from 'typebox';
import { EXCEPTION_ACTIONS, STOP_KINDS } from './model.js';

/**
 * The JSON document of `maillage mobile load` (documented in docs/mobile-schema.md).
 * This schema checks shapes, types and sizes; the business rules (recurrences, overlaps,
 * references, distances) are checked in load.ts and name the same JSON paths.
 */
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const HhMm = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' });
const Lat = Type.Number({ minimum: -90, maximum: 90 });
const Lon = Type.Number({ minimum: -180, maximum: 180 });
const closed = { additionalProperties: false } as const;

export const UnitSchema = Type.Object(
  {
    id: Id,
    structure: Type.String({ minLength: 1, maxLength: 64 }),
    name: Text(200),
    vehicle: Type.Optional(Text(200)),
    depot: Type.Object({ lat: Lat, lon: Lon }, closed),
  },
  closed,
);

export const StopSchema = Type.Object(
  {
    id: Id,
    unit: Id,
    name: Text(200),
    kind: Type.Enum([...STOP_KINDS]),
    commune: Type.String({ pattern: '^(\\d{2}|2[ABab])\\d{3}$' }),
    address: Text(300),
    lat: Lat,
    lon: Lon,
    accessNotes: Type.Optional(Type.String({ maxLength: 1000 })),
  },
  closed,
);

export const EntrySchema = Type.Object(
  {
    id: Id,
    unit: Id,
    stop: Id,
    rrule: Text(500),
    start: HhMm,
    end: HhMm,
    from: IsoDate,
    until: IsoDate,
    holidays: Type.Optional(Type.Enum(['skip', 'keep'])),
    sequence: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
  },
  closed,
);

export const ExceptionSchema = Type.Object(
  {
    entry: Id,
    date: IsoDate,
    action: Type.Enum([...EXCEPTION_ACTIONS]),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
    to: Type.Optional(Type.Object({ date: IsoDate, start: HhMm, end: HhMm }, closed)),
  },
  closed,
);

export const MobileDocumentSchema = Type.Object(
  {
    units: Type.Array(UnitSchema, { maxItems: 1000 }),
    stops: Type.Array(StopSchema, { maxItems: 20_000 }),
    entries: Type.Array(EntrySchema, { maxItems: 50_000 }),
    exceptions: Type.Optional(Type.Array(ExceptionSchema, { maxItems: 100_000 })),
  },
  closed,
);

export type MobileDocument = Static<typeof MobileDocumentSchema>;
