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
