// The dashboard's catalogues: every key exists in both languages, so a Chinese page never falls
// back to an English string because a translation was forgotten.
import { describe, expect, it } from 'vitest';
import { catalogues } from '../../web/src/i18n/resources.ts';

function keys(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe('dashboard catalogues', () => {
  for (const [ns, catalogue] of Object.entries(catalogues)) {
    it(`${ns}: zh-CN and en have the same keys, none empty`, () => {
      const en = keys(catalogue.en).sort();
      const zh = keys(catalogue['zh-CN']).sort();
      expect(zh).toEqual(en);
      for (const lang of ['en', 'zh-CN'] as const) {
        for (const key of keys(catalogue[lang])) {
          const value = key
            .split('.')
            .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], catalogue[lang]);
          expect(typeof value === 'string' && value.trim().length > 0, `${lang} ${ns}:${key}`).toBe(true);
        }
      }
    });
  }
});
