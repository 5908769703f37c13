import { OPERATING_STATUSES, type OperatingStatus } from '../directory/structure.js';
import { DomainError, invalid } from '../shared/errors.js';
import { parseIsoDate } from './structure-edit.js';

export interface StatusChangeInput {
  readonly status: unknown;
  readonly until?: unknown;
}

export interface StatusChange {
  readonly status: OperatingStatus;
  /** Planned reopening date (Paris day), for `fermee_temporairement` only. */
  readonly until: string | null;
}

export interface StatusContext {
  readonly current: OperatingStatus;
  readonly email: string | null;
  readonly telephone: string | null;
  /** Today in Paris, `YYYY-MM-DD`. */
  readonly today: string;
  /** Whether the user may close permanently (national team): from the policy. */
  readonly mayClosePermanently: boolean;
}

/**
 * The operating-status rules:
 * - « accueil à distance uniquement » needs a phone number or an e-mail, which the public is shown first;
 * - « fermée temporairement » needs the planned reopening date, today or later;
 * - « fermée définitivement », and reopening from it, belong to the national team.
 */
export function validateStatusChange(input: StatusChangeInput, ctx: StatusContext): StatusChange {
  const status = input.status;
  if (typeof status !== 'string' || !(OPERATING_STATUSES as readonly string[]).includes(status))
    throw invalid('status', 'Choisissez un statut dans la liste.');
  const s = status as OperatingStatus;
  if ((s === 'fermee_definitivement' || ctx.current === 'fermee_definitivement') && s !== ctx.current) {
    if (!ctx.mayClosePermanently)
      throw new DomainError(
        'forbidden',
        'Seule l’équipe nationale peut fermer définitivement une structure, ou la rouvrir.',
        'status',
      );
  }
  if (s === 'accueil_a_distance' && !ctx.email && !ctx.telephone)
    throw invalid(
      'status',
      'L’accueil à distance demande un numéro de téléphone ou une adresse électronique : renseignez-en au moins un dans les coordonnées.',
    );
  let until: string | null = null;
  if (s === 'fermee_temporairement') {
    if (input.until === undefined || input.until === null || input.until === '')
      throw invalid('until', 'Indiquez la date de réouverture prévue.');
    until = parseIsoDate(input.until, 'until');
    if (until < ctx.today) throw invalid('until', 'La date de réouverture prévue est déjà passée.');
  }
  return { status: s, until };
}
