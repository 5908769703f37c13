/**
 * Errors are values with a code. One HTTP plugin maps codes to statuses; the CLI prints the message.
 * `field` names the input at fault (a query parameter, a CSV column, a JSON path) so that a person can fix it.
 */
export type ErrorCode =
  | 'invalid' // bad input: 400
  | 'not_found' // 404
  | 'conflict' // stale version, duplicate: 409
  | 'forbidden' // 403 (out-of-scope reads answer not_found instead, to leak nothing)
  | 'unauthenticated' // 401
  | 'too_large' // 413
  | 'unsupported' // 415
  | 'rate_limited' // 429
  | 'unavailable'; // 503: a dependency (reference data, solver) is missing

export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.field = field;
  }
}

export const invalid = (field: string, message: string) => new DomainError('invalid', message, field);
export const notFound = (message = 'Ressource introuvable.') => new DomainError('not_found', message);
export const conflict = (message: string, field?: string) => new DomainError('conflict', message, field);

/** A per-row problem found while reading a file: it is reported, never thrown. */
export interface RowIssue {
  line: number;
  field: string;
  message: string;
}

export type Result<T, E = DomainError> = { ok: true; value: T } | { ok: false; error: E };
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
