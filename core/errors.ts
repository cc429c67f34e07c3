// Domain errors: what a store or a module says went wrong, in its own words, with no HTTP in it.
// One place maps them to problem+json (core/http/problem.ts problemFor, used by the server's error
// handler), so a store serves the API, the CLI and a test alike.

/** A field-level reason, as problem+json's `errors` lists them. */
export interface FieldIssue {
  /** Where: body, querystring, params, headers, or an item index for batches. */
  in: string;
  /** Dotted path of the field, empty for the whole value. */
  field: string;
  message: string;
}

export type DomainErrorKind = 'not_found' | 'conflict' | 'gone' | 'forbidden' | 'invalid' | 'unprocessable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Extra members for the answer (field issues, the conflicting id ...). */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
    this.name = new.target.name;
  }
}

/** The thing does not exist, or the caller may not know that it does. */
export class NotFound extends DomainError {
  readonly kind = 'not_found';
}

/** The thing exists but its state forbids the change (already paid, seat taken ...). */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

/** The thing existed and is gone for good. */
export class Gone extends DomainError {
  readonly kind = 'gone';
}

/** The caller is known but not allowed to do this. */
export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

/** The input is malformed: a field fails its rule. */
export class Invalid extends DomainError {
  readonly kind = 'invalid';
  constructor(message: string, errors?: FieldIssue[]) {
    super(message, errors ? { errors } : {});
  }
}

/** The input is well-formed but cannot be acted on (a location outside the served cities ...). */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable';
  constructor(message: string, errors?: FieldIssue[]) {
    super(message, errors ? { errors } : {});
  }
}
