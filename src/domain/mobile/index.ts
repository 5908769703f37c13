/** France Services mobiles: units, stops, tours, calendars, feeds, area served and planning help. */

export { easterSunday, type Holiday, publicHolidays } from '../shared/public-holidays.js';
export * from './area.js';
export { formatDay, parseDay, parseHhmm, weekday } from './days.js';
export * from './ical.js';
export * from './load.js';
export * from './model.js';
export {
  currentPassage,
  entryOccurrences,
  expandOccurrences,
  isUnitAtStop,
  localAt,
  nextPassages,
  type OccurrenceFilter,
  regularDays,
  ruleDays,
  sortByStart,
} from './occurrences.js';
export * from './paging.js';
export * from './planning.js';
export { expandRecurrence, formatRecurrence, parseRecurrence, type Recurrence } from './recurrence.js';
export { type MobileDocument, MobileDocumentSchema } from './schema.js';
