import { describe, expect, it } from 'vitest';
import { lockoutDecision, lockoutMessage } from './lockout.js';
import { checkNewPassword, normaliseEmail } from './password.js';

describe('login lockout', () => {
  const t0 = new Date('2026-11-24T09:00:00Z');
  it('locks an account at the fifth failure, for one window after the oldest', () => {
    expect(lockoutDecision({ account: 4, ip: 4, oldestAccount: t0, oldestIp: t0 })).toEqual({
      locked: false,
    });
    const d = lockoutDecision({ account: 5, ip: 5, oldestAccount: t0, oldestIp: t0 });
    expect(d).toEqual({ locked: true, by: 'account', until: new Date('2026-11-24T09:15:00Z') });
    if (d.locked) expect(lockoutMessage(d, '10:15')).toContain('bloquée jusqu’à 10:15');
  });
  it('locks an IP address spraying many accounts', () => {
    const d = lockoutDecision({ account: 1, ip: 30, oldestAccount: t0, oldestIp: t0 });
    expect(d).toMatchObject({ locked: true, by: 'ip' });
  });
});

describe('passwords and e-mails', () => {
  it('wants 12 characters and a matching confirmation', () => {
    expect(() => checkNewPassword('court', 'court')).toThrow(/12 caractères/);
    expect(() => checkNewPassword('un mot de passe long', 'autre chose')).toThrow(/identiques/);
    expect(checkNewPassword('un mot de passe long', 'un mot de passe long')).toBe('un mot de passe long');
    expect(() => checkNewPassword(42, 42)).toThrow(/obligatoire/);
  });
  it('normalises e-mails and refuses markup', () => {
    expect(normaliseEmail('  Agent@Mairie.FR ')).toBe('agent@mairie.fr');
    expect(() => normaliseEmail('<script>@x.fr')).toThrow(/invalide/);
    expect(() => normaliseEmail(['a@b.fr'])).toThrow();
  });
});
