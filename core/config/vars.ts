// Reusable parsers for environment variables. Each one carries the sentence that tells an
// operator what was expected, because the variable name alone rarely says it.
import { z } from 'zod';

/** Unset or blank both mean "not configured": `FOO=` in a shell must not count as a value. */
export const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** A TCP port; 0 asks the OS for a free one (tests, several hubs on one machine). */
export const port = (fallback: number) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, { error: 'expected an integer TCP port between 0 and 65535' })
      .transform(Number)
      .pipe(z.number().int().max(65535, { error: 'expected a port between 0 and 65535' }))
      .optional()
      .transform((v) => v ?? fallback),
  );

export const positiveInt = (fallback: number, what: string) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^\d+$/, { error: `expected a positive integer (${what})` })
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .positive({ error: `expected a positive integer (${what})` }),
      )
      .optional()
      .transform((v) => v ?? fallback),
  );

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export const flag = optionalString.pipe(
  z
    .string()
    .refine((v) => TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()), {
      error: 'expected one of 1, 0, true, false, yes, no, on, off',
    })
    .transform((v) => TRUE.has(v.toLowerCase()))
    .optional(),
);

export const httpUrl = (what: string) =>
  optionalString.pipe(z.url({ protocol: /^https?$/, error: `expected an http(s) URL (${what})` }).optional());

export const urlWithProtocols = (protocols: RegExp, example: string) =>
  optionalString.pipe(z.url({ protocol: protocols, error: `expected a URL like ${example}` }).optional());

/** `a,b , c` → ['a','b','c']; empty items are an error rather than silently dropped. */
export const csv = optionalString.transform((v, ctx) => {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list without empty items' });
    return z.NEVER;
  }
  return items;
});

/** The parsed values of a section's variables, typed as the schema object produces them. */
export type Parsed<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;
