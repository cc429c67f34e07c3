// Which language an API answer's human texts are in: zh-CN when the caller's Accept-Language
// prefers any Chinese, English otherwise (and when the header is absent). Machine fields (`code`,
// `field`, ids) never change with the language.

export const API_LANGUAGES = ['zh-CN', 'en'] as const;
export type ApiLanguage = (typeof API_LANGUAGES)[number];

/** Longest Accept-Language header read; past it the rest is ignored (bounded work per request). */
const MAX_HEADER = 512;

/**
 * The caller's language from Accept-Language: ranges in order of their q-value (RFC 9110 §12.5.4),
 * the first that is Chinese or English wins; `*` or nothing usable means English.
 */
export function preferredLanguage(header: string | string[] | undefined): ApiLanguage {
  const value = (Array.isArray(header) ? header.join(',') : (header ?? '')).slice(0, MAX_HEADER);
  const ranges = value
    .split(',')
    .slice(0, 20)
    .map((part, order) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/i.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), order };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { tag } of ranges) {
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}
