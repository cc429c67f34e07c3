// Domain errors: what a store or a module says went wrong, in its own words, with no HTTP in it.
// One place maps them to problem+json (core/http/problem.ts problemFor, used by the server's error
// handler), so a store serves the API, the CLI and a test alike.

/** A field-level reason, as problem+json's `errors` lists them. */
export interface FieldIssue {
  /** Where: body, querystring, params, headers, or an item index for batches. */
  in: string;
  /** Dotted path of the field, empty for the whole value. */
  field: string;
  /** English message; the API answers in Chinese from `code` when the caller asks for zh-CN. */
  message: string;
  /** Stable machine code (zod's issue code, or a check's own such as `outside_service_area`). */
  code?: string;
  /** Values the Chinese message needs (the limit of a too_small ...); never sent. */
  vars?: Record<string, unknown>;
}

export type DomainErrorKind = 'not_found' | 'conflict' | 'gone' | 'forbidden' | 'invalid' | 'unprocessable';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** Extra members for the answer (field issues, the conflicting id ...); `code` names the error. */
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
    this.name = new.target.name;
  }

  /** Stable machine code: `details.code` when the raiser gave one, else one per kind. */
  get code(): string {
    return typeof this.details.code === 'string' ? this.details.code : KIND_CODES[this.kind];
  }
}

const KIND_CODES: Record<DomainErrorKind, string> = {
  not_found: 'not_found',
  conflict: 'conflict',
  gone: 'gone',
  forbidden: 'forbidden',
  invalid: 'invalid_request',
  unprocessable: 'unprocessable',
};

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
  constructor(message: string, errors?: FieldIssue[], code?: string) {
    super(message, { ...(errors ? { errors } : {}), ...(code ? { code } : {}) });
  }
}

/** The input is well-formed but cannot be acted on (a location outside the served cities ...). */
export class Unprocessable extends DomainError {
  readonly kind = 'unprocessable';
  constructor(message: string, errors?: FieldIssue[], code?: string) {
    super(message, { ...(errors ? { errors } : {}), ...(code ? { code } : {}) });
  }
}
