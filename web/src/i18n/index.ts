// The dashboard's language: i18next with one catalogue per area (locales/*.ts), chosen from the
// browser's languages unless the person picked one with the header switch (remembered in
// localStorage). Chinese first: the pilot's residents read zh-CN; English is the fallback.
// Dates and times are always shown in the cities' time zone, whatever the device's zone is.
import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { resources } from './resources.ts';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
/** Shenzhen, Guangzhou and Foshan all keep China Standard Time. */
export const CITY_TIME_ZONE = 'Asia/Shanghai';
const STORAGE_KEY = 'citystream.lang';

/** zh, zh-Hans, zh-SG... read the simplified catalogue; anything else reads English. */
export function languageFor(tag: string | null | undefined): Language {
  return tag && /^zh\b/i.test(tag) ? 'zh-CN' : 'en';
}

const detector = new LanguageDetector(null, {
  order: ['localStorage', 'navigator'],
  lookupLocalStorage: STORAGE_KEY,
  caches: [],
  convertDetectedLanguage: (tag: string) => languageFor(tag),
});

void i18next.use(detector).init({
  resources,
  supportedLngs: [...LANGUAGES],
  fallbackLng: 'en',
  // Synchronous: every catalogue is bundled, so the first render is already translated.
  initAsync: false,
  // The page builds DOM text nodes, never HTML strings: nothing to escape.
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function language(): Language {
  return languageFor(i18next.resolvedLanguage ?? i18next.language);
}

if (typeof document !== 'undefined') document.documentElement.lang = language();

/** A text of the data in the page's language: its entry in `texts` (language tag → text), else `text`. */
export function inLanguage(text: string, texts?: Record<string, string>): string {
  return texts?.[language()] ?? text;
}

/** A station's, camera's, hospital's... name in the page's language: its `names` entry, else `name`. */
export function localName(place: { name: string; names?: Record<string, string> | undefined }): string {
  return inLanguage(place.name, place.names);
}

/** Its names in the other languages, for a search to find it by any of them. */
export function otherNames(place: { name: string; names?: Record<string, string> | undefined }): string {
  const shown = localName(place);
  return [place.name, ...Object.values(place.names ?? {})].filter((n) => n !== shown).join(' ');
}

/** The text of `key` ("namespace:path.to.key") in the page's language. */
export function t(key: string, values?: Record<string, string | number>): string {
  return values ? i18next.t(key, values) : i18next.t(key);
}

/**
 * Switches language: remembered for this browser, then the page reloads so every panel renders
 * from scratch in the new language (simpler and safer than re-rendering each panel in place).
 */
export function setLanguage(lang: Language): void {
  localStorage.setItem(STORAGE_KEY, lang);
  location.reload();
}

/** Date and time in the city's zone, e.g. "2026/12/02 15:04" or "12/02/2026, 3:04 PM". */
export function formatDateTime(value: string | number | Date, opts: Intl.DateTimeFormatOptions = {}): string {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(language(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: CITY_TIME_ZONE,
    ...opts,
  }).format(d);
}

/** A 24-hour clock with seconds, in place of formatDateTime's date and time styles. */
export const CLOCK_WITH_SECONDS: Intl.DateTimeFormatOptions = {
  dateStyle: undefined,
  timeStyle: undefined,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
};

/** A day in the city's zone, without the time: "Dec 15, 2026" / "2026年12月15日". */
export function formatDay(value: string | number | Date): string {
  return formatDateTime(value, { timeStyle: undefined });
}

/**
 * A day to book, from a CST calendar day "2026-12-09" that is `daysAhead` from today: "明天 ·
 * 12月9日周三" / "tomorrow · Wed, Dec 9" (today and tomorrow named, as ticket apps do).
 */
export function formatBookingDay(day: string, daysAhead: number): string {
  // Noon in the cities' zone: the same calendar day in any device zone.
  const date = formatDateTime(`${day}T12:00:00+08:00`, {
    dateStyle: undefined,
    timeStyle: undefined,
    month: 'short',
    day: 'numeric',
    weekday: 'short',
  });
  if (daysAhead > 1) return date;
  const relative = new Intl.RelativeTimeFormat(language(), { numeric: 'auto' }).format(daysAhead, 'day');
  return `${relative} · ${date}`;
}

/** Clock time in the city's zone with seconds: "15:04:05". */
export function formatTime(value: string | number | Date): string {
  return formatDateTime(value, CLOCK_WITH_SECONDS);
}

/** Money in yuan: "¥25.00" in Chinese, "CN¥25.00" in English (the locale's own convention). */
export function formatMoney(amount: string | number): string {
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  return new Intl.NumberFormat(language(), { style: 'currency', currency: 'CNY' }).format(n);
}

/** "5 s ago", "3 分钟前": a relative time from a past instant. */
export function formatAgo(from: string | number | Date, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(from).getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat(language(), { numeric: 'auto', style: 'short' });
  if (Math.abs(seconds) < 60) return rtf.format(-seconds, 'second');
  if (Math.abs(seconds) < 3600) return rtf.format(-Math.round(seconds / 60), 'minute');
  if (Math.abs(seconds) < 86_400) return rtf.format(-Math.round(seconds / 3600), 'hour');
  return rtf.format(-Math.round(seconds / 86_400), 'day');
}
