// Reusable parsers for environment variables. Each one carries the sentence that tells an
// operator what was expected, because the variable name alone rarely says it.
import { z } from 'zod';

/**
 * What docs/configuration.md says about a variable (Markdown: literal values in backticks);
 * scripts/config-docs.ts reads it back with `schema.meta()`. The parsers below fill in `type`
 * and `default` where they know them.
 */
export interface VariableDoc {
  description: string;
  /** Accepted values, as an operator writes them. */
  type: string;
  /** What leaving the variable unset means. */
  default: string;
  /** Roles that read it, when narrower or wider than its section's. */
  roles?: string;
}

/** The schema with `doc` merged into its metadata (a copy: shared parsers stay untouched). */
export function documented<T extends z.ZodType>(schema: T, doc: Partial<VariableDoc>): T {
  return schema.meta({ ...schema.meta(), ...doc });
}

/** Unset or blank both mean "not configured": `FOO=` in a shell must not count as a value. */
const blankIsUnset = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
export const optionalString = documented(blankIsUnset, { type: 'string' });

/** A TCP port; 0 asks the OS for a free one (tests, several hubs on one machine). */
export const port = (fallback: number) =>
  documented(
    blankIsUnset.pipe(
      z
        .string()
        .regex(/^\d+$/, { error: 'expected an integer TCP port between 0 and 65535' })
        .transform(Number)
        .pipe(z.number().int().max(65535, { error: 'expected a port between 0 and 65535' }))
        .optional()
        .transform((v) => v ?? fallback),
    ),
    { type: 'TCP port, 0-65535 (0: any free port)', default: `\`${fallback}\`` },
  );

export const positiveInt = (fallback: number, what: string) =>
  documented(
    blankIsUnset.pipe(
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
    ),
    { description: what, type: 'positive integer', default: `\`${fallback}\`` },
  );

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

export const flag = documented(
  blankIsUnset.pipe(
    z
      .string()
      .refine((v) => TRUE.has(v.toLowerCase()) || FALSE.has(v.toLowerCase()), {
        error: 'expected one of 1, 0, true, false, yes, no, on, off',
      })
      .transform((v) => TRUE.has(v.toLowerCase()))
      .optional(),
  ),
  { type: 'flag: `1`, `0`, `true`, `false`, `yes`, `no`, `on`, `off`' },
);

export const httpUrl = (what: string) =>
  documented(
    blankIsUnset.pipe(z.url({ protocol: /^https?$/, error: `expected an http(s) URL (${what})` }).optional()),
    { description: what, type: 'http(s) URL' },
  );

export const urlWithProtocols = (protocols: RegExp, example: string) =>
  documented(
    blankIsUnset.pipe(z.url({ protocol: protocols, error: `expected a URL like ${example}` }).optional()),
    { type: `URL like \`${example}\`` },
  );

/** `a,b , c` → ['a','b','c']; empty items are an error rather than silently dropped. */
export const csv = blankIsUnset.transform((v, ctx) => {
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
