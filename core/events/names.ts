// A place's name in other languages than its default `name`: stations and cameras carry one per
// language tag (e.g. `{ "zh-CN": "深圳洪湖" }`), and a page shows the one of its language, else
// `name`. Bounded, as everything a client may write is.
import { z } from 'zod';

/** A BCP 47 language tag as pages use them: `zh-CN`, `zh-Hant-HK`, `en`. */
export const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;

export const MAX_LOCALIZED_NAMES = 10;

const TAG_REASON = 'expected a language tag such as zh-CN or en';

export const localizedNames = z
  .record(z.string().regex(LANGUAGE_TAG), z.string().min(1).max(200), {
    // The record reports a bad key itself; say what a key must be, not only that it is bad.
    error: (issue) => (issue.code === 'invalid_key' ? TAG_REASON : undefined),
  })
  .refine((names) => Object.keys(names).length <= MAX_LOCALIZED_NAMES, {
    error: `at most ${MAX_LOCALIZED_NAMES} languages`,
  });
export type LocalizedNames = z.infer<typeof localizedNames>;
