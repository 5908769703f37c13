import { DateTime } from 'luxon';
import { addBusinessHours, MAX_BUSINESS_HOURS } from '../shared/business-hours.js';
import { invalid } from '../shared/errors.js';
import { timeZoneOf, toLocalIso } from '../shared/time-zone.js';

/**
 * `maillage cases due --from <ISO 8601> --business-hours N --commune <INSEE>`: the same function as the
 * app's deadlines (`addBusinessHours`), answered on the commune's own clock (`toLocalIso`). A start without
 * an offset is read on the commune's clock. Throws `invalid` naming the option at fault.
 */
const COMMUNE = /^(?:\d{5}|2[AB]\d{3})$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

export function dueFrom(args: { from: unknown; businessHours: unknown; commune: unknown }): {
  due: string;
} {
  const commune = typeof args.commune === 'string' ? args.commune.trim().toUpperCase() : '';
  if (!COMMUNE.test(commune))
    throw invalid('--commune', `code INSEE de commune attendu, sur 5 caractères (ex. 75056, 2A004, 97411).`);
  const zone = timeZoneOf(commune);
  const fromText = typeof args.from === 'string' ? args.from.trim() : '';
  const from =
    fromText.length > 0 && fromText.length <= 40 && /^\d{4}-\d{2}-\d{2}/.test(fromText)
      ? DateTime.fromISO(fromText, { zone })
      : null;
  if (!from?.isValid)
    throw invalid(
      '--from',
      `date ISO 8601 attendue (ex. 2026-12-03T14:30:00+01:00), reçu « ${fromText.slice(0, 40)} ».`,
    );
  const hoursText = typeof args.businessHours === 'string' ? args.businessHours.trim() : '';
  const hours = NUMBER.test(hoursText) ? Number(hoursText) : Number.NaN;
  if (!Number.isFinite(hours) || hours > MAX_BUSINESS_HOURS)
    throw invalid(
      '--business-hours',
      `nombre d’heures ouvrées attendu, entre 0 et ${MAX_BUSINESS_HOURS} (reçu « ${hoursText.slice(0, 40)} »).`,
    );
  return { due: toLocalIso(addBusinessHours(from.toJSDate(), hours, commune), zone) };
}
