/**
 * A small hand-written document (the example, around Guise in the Aisne), for tests,
 * the benchmark and docs/mobile-schema.md. Each call returns a fresh deep copy to mutate.
 */
export function sampleDocument() {
  return {
    units: [
      {
        id: 'bus-tso',
        structure: 'fs-0001',
        name: 'Bus France services TSO',
        vehicle: 'Renault Master aménagé',
        depot: { lat: 49.9, lon: 3.62 },
      },
    ],
    stops: [
      {
        id: 'guise-marche',
        unit: 'bus-tso',
        name: 'Place du marché',
        kind: 'marché',
        commune: '02361',
        address: 'Place Lesur',
        lat: 49.901,
        lon: 3.627,
        accessNotes: 'Stationnement devant la halle ; accès de plain-pied.',
      },
      {
        id: 'wassigny-mairie',
        unit: 'bus-tso',
        name: 'Mairie de Wassigny',
        kind: 'mairie',
        commune: '02830',
        address: '1 place du Général de Gaulle',
        lat: 50.013,
        lon: 3.597,
      },
    ],
    entries: [
      {
        id: 'e1',
        unit: 'bus-tso',
        stop: 'guise-marche',
        rrule: 'FREQ=WEEKLY;BYDAY=TU',
        start: '09:00',
        end: '12:00',
        from: '2026-01-01',
        until: '2026-12-31',
        holidays: 'skip',
      },
      {
        id: 'e2',
        unit: 'bus-tso',
        stop: 'wassigny-mairie',
        rrule: 'FREQ=MONTHLY;BYDAY=-1FR',
        start: '14:00',
        end: '17:00',
        from: '2026-01-01',
        until: '2026-12-31',
        holidays: 'skip',
      },
    ],
    exceptions: [
      { entry: 'e1', date: '2026-05-12', action: 'cancel', reason: 'Panne du véhicule' },
      {
        entry: 'e1',
        date: '2026-06-02',
        action: 'move',
        to: { date: '2026-06-03', start: '10:00', end: '13:00' },
      },
      { entry: 'e1', date: '2026-07-15', action: 'add' },
    ],
  } as {
    units: Array<Record<string, unknown>>;
    stops: Array<Record<string, unknown>>;
    entries: Array<Record<string, unknown>>;
    exceptions: Array<Record<string, unknown>>;
  };
}

/**
 * A bus at La Réunion (UTC+4 all year), for the time-zone tests: Monday mornings at Saint-Louis across
 * the metropolitan spring change (29 March 2026), with a cancellation, a move and an added date; and
 * Sunday mornings at Cilaos in December, across the Réunion abolition day (Sunday 20 December 2026).
 */
export function reunionDocument() {
  return {
    units: [
      {
        id: 'bus-sud',
        structure: 'fs-0974',
        name: 'Bus France Services du Sud',
        depot: { lat: -21.286, lon: 55.411 },
      },
    ],
    stops: [
      {
        id: 'saint-louis-mairie',
        unit: 'bus-sud',
        name: 'Mairie de Saint-Louis',
        kind: 'mairie',
        commune: '97414',
        address: 'Rue du Général de Gaulle',
        lat: -21.286,
        lon: 55.411,
      },
      {
        id: 'cilaos-place',
        unit: 'bus-sud',
        name: 'Place de l’église',
        kind: 'place',
        commune: '97424',
        address: 'Rue du Père Boiteau',
        lat: -21.134,
        lon: 55.471,
      },
    ],
    entries: [
      {
        id: 'r1',
        unit: 'bus-sud',
        stop: 'saint-louis-mairie',
        rrule: 'FREQ=WEEKLY;BYDAY=MO',
        start: '08:30',
        end: '12:00',
        from: '2026-03-16',
        until: '2026-04-27',
        holidays: 'skip',
      },
      {
        id: 'r2',
        unit: 'bus-sud',
        stop: 'cilaos-place',
        rrule: 'FREQ=WEEKLY;BYDAY=SU',
        start: '09:00',
        end: '11:00',
        from: '2026-12-06',
        until: '2026-12-27',
        holidays: 'skip',
      },
    ],
    exceptions: [
      { entry: 'r1', date: '2026-04-13', action: 'cancel', reason: 'Route du littoral fermée' },
      {
        entry: 'r1',
        date: '2026-04-20',
        action: 'move',
        to: { date: '2026-04-21', start: '14:00', end: '16:00' },
      },
      { entry: 'r1', date: '2026-03-25', action: 'add' },
    ],
  } as ReturnType<typeof sampleDocument>;
}
