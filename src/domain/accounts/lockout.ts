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

/**
 * Password-reset requests (finding 12): a few per typed e-mail and per IP address an hour. Counted
 * whether or not the account exists, so the throttle answers the same for known and unknown addresses.
 */
export const RESET_THROTTLE = Object.freeze({ windowMinutes: 60, maxPerAccount: 3, maxPerIp: 10 });

/** Whether the n-th request of the window (n counts this one) is over the limit. */
export const resetThrottled = (byAccount: number, byIp: number, rules = RESET_THROTTLE): boolean =>
  byAccount > rules.maxPerAccount || byIp > rules.maxPerIp;

export const resetThrottleMessage = (untilText: string): string =>
  `Trop de demandes de réinitialisation. Par sécurité, aucune nouvelle demande n’est traitée avant ${untilText}. Si vous avez reçu un lien, il reste valable une heure.`;
