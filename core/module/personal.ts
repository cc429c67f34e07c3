// Zod schemas for personal identifiers in request bodies, over the checks in core/domain/identity.ts
// (shared with the dashboard's forms), with messages a person can act on.
import { z } from 'zod';
import {
  characterCount,
  PHONE_MESSAGES,
  phoneProblem,
  RESIDENT_ID_MESSAGES,
  residentIdProblem,
} from '../domain/identity.ts';

/** A mainland mobile or landline number. */
export const phoneNumber = z
  .string()
  .trim()
  .max(30)
  .superRefine((v, ctx) => {
    const problem = phoneProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: PHONE_MESSAGES[problem] });
  });

/** A mainland resident ID number (18 characters, check character verified). */
export const residentId = z
  .string()
  .trim()
  .max(30)
  .superRefine((v, ctx) => {
    const problem = residentIdProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: RESIDENT_ID_MESSAGES[problem] });
  })
  // Stored as printed on the card: an upper-case X.
  .transform((v) => v.toUpperCase());

/** Free text with a minimum counted in characters as a reader counts them, not UTF-16 units. */
export function textOfAtLeast(min: number, max: number, message: string) {
  return z
    .string()
    .trim()
    .max(max)
    .refine((v) => characterCount(v) >= min, { error: message, params: { code: 'too_short', minimum: min } });
}
