import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

/** One appointment as an iCalendar event (times in UTC: every calendar shows them in its own zone). */
export interface IcsAppointment {
  readonly id: string;
  readonly start: Date;
  readonly end: Date;
  readonly summary: string;
  readonly description: string;
  readonly location: string | null;
  readonly url?: string | null;
  readonly cancelled?: boolean;
  /** The booking's version: a calendar replaces an event by a later SEQUENCE (moved, cancelled). */
  readonly sequence: number;
}

const uid = (id: string) => `rendezvous-${id}@maillage`;

/** The `.ics` attached to the person's confirmation (METHOD:PUBLISH: no reply is expected). */
export function appointmentIcs(a: IcsAppointment, now: Date): string {
  const cal = ical({
    name: 'Rendez-vous France Services',
    prodId: { company: 'ANCT', product: 'Maillage', language: 'FR' },
    method: ICalCalendarMethod.PUBLISH,
  });
  addEvent(cal, a, now);
  return cal.toString();
}

/** An agent's private feed: every appointment of a window, cancelled ones shown as such. */
export function agendaIcs(name: string, items: readonly IcsAppointment[], now: Date): string {
  const cal = ical({ name, prodId: { company: 'ANCT', product: 'Maillage', language: 'FR' }, ttl: 15 * 60 });
  for (const a of items) addEvent(cal, a, now);
  return cal.toString();
}

function addEvent(cal: ReturnType<typeof ical>, a: IcsAppointment, now: Date): void {
  cal.createEvent({
    id: uid(a.id),
    start: a.start,
    end: a.end,
    stamp: now,
    summary: a.summary,
    description: a.description,
    location: a.location ?? undefined,
    url: a.url ?? undefined,
    sequence: a.sequence,
    status: a.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
}
