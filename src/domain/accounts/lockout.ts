/**
 * Login throttling, as a pure decision over recent failures (counted in the database).
 * Per account (the e-mail typed, whether or not an account exists, so the answer leaks nothing)
 * and per IP address. Past the limit, sign-in is refused for the rest of the window.
 */
export interface LockoutRules {
  readonly windowMinutes: number;
  readonly maxFailuresPerAccount: number;
  readonly maxFailuresPerIp: number;
}

export const DEFAULT_LOCKOUT: LockoutRules = Object.freeze({
  windowMinutes: 15,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 30,
});

export interface RecentFailures {
  readonly account: number;
  readonly ip: number;
  /** Oldest failure inside the window, per key: the lock lifts one window after it. */
  readonly oldestAccount: Date | null;
  readonly oldestIp: Date | null;
}

export type LockoutDecision =
  | { readonly locked: false }
  | { readonly locked: true; readonly by: 'account' | 'ip'; readonly until: Date };

export function lockoutDecision(f: RecentFailures, rules: LockoutRules = DEFAULT_LOCKOUT): LockoutDecision {
  const lift = (oldest: Date | null) => new Date((oldest?.getTime() ?? 0) + rules.windowMinutes * 60_000);
  if (f.account >= rules.maxFailuresPerAccount)
    return { locked: true, by: 'account', until: lift(f.oldestAccount) };
  if (f.ip >= rules.maxFailuresPerIp) return { locked: true, by: 'ip', until: lift(f.oldestIp) };
  return { locked: false };
}

/** The French message shown on a lockout (`untilText` such as `14:35 (heure de Paris)`). */
export function lockoutMessage(d: Extract<LockoutDecision, { locked: true }>, untilText: string): string {
  return d.by === 'account'
    ? `Trop de tentatives de connexion pour ce compte. Par sécurité, la connexion est bloquée jusqu’à ${untilText}. Vous pouvez aussi réinitialiser votre mot de passe.`
    : `Trop de tentatives de connexion depuis votre réseau. Par sécurité, la connexion est bloquée jusqu’à ${untilText}.`;
}
