import { describe, expect, it } from 'vitest';
import { auditsDue, overdueActions } from './audit.js';

describe('labellisation dates on the structure’s own day (issue 10)', () => {
  // 2026-12-01T21:00Z is 22:00 on 1 December in Paris and 01:00 on 2 December at La Réunion.
  const now = new Date('2026-12-01T21:00:00Z');

  it('an audit due on 1 December is overdue at La Réunion, not yet in the Aisne', () => {
    const due = auditsDue(
      [
        { id: 'reunion', labelledOn: '2023-12-01', lastAuditOn: null, departement: '974' },
        { id: 'aisne', labelledOn: '2023-12-01', lastAuditOn: null, departement: '02' },
      ],
      36,
      now,
      10,
    );
    expect(due.map((d) => [d.id, d.dueOn, d.daysOverdue, d.overdue])).toEqual([
      ['reunion', '2026-12-01', 1, true],
      ['aisne', '2026-12-01', 0, false],
    ]);
  });

  it('a corrective action due on 1 December is late in Réunion time only', () => {
    const actions = [{ code: 'ACC-01', description: 'Signalétique', dueOn: '2026-12-01', closedOn: null }];
    expect(overdueActions(actions, now, 'Indian/Reunion')).toHaveLength(1);
    expect(overdueActions(actions, now, 'Europe/Paris')).toHaveLength(0);
  });
});
