// Personal identifiers the city services take: the mainland resident identity card number
// (GB 11643-1999: 17 digits and a check character) and mainland phone numbers. Pure functions
// shared by the API's schemas and the dashboard's forms, so both refuse the same input for the
// same reason; each check answers a reason code that the caller words for its reader.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export type ResidentIdProblem = 'length' | 'characters' | 'birthDate' | 'checkDigit';

/** The check character (0-9 or X) that completes the first 17 digits of a resident ID. */
export function residentIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Why `value` is not a resident ID number, or null when it is one. */
export function residentIdProblem(value: string, today: Date = new Date()): ResidentIdProblem | null {
  const v = value.trim();
  if (v.length !== 18) return 'length';
  if (!/^\d{17}[\dXx]$/.test(v)) return 'characters';
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const born = new Date(Date.UTC(y, m - 1, d));
  const real = born.getUTCFullYear() === y && born.getUTCMonth() === m - 1 && born.getUTCDate() === d;
  if (!real || y < 1900 || born.getTime() > today.getTime()) return 'birthDate';
  if (residentIdCheckChar(v) !== v[17]!.toUpperCase()) return 'checkDigit';
  return null;
}

export const RESIDENT_ID_MESSAGES: Record<ResidentIdProblem, string> = {
  length: 'a resident ID number has exactly 18 characters',
  characters: 'a resident ID number is 17 digits followed by a digit or X',
  birthDate: 'the date of birth in this ID number (characters 7-14) is not a real date',
  checkDigit: 'this ID number is mistyped: its last character does not match the others',
};

export type PhoneProblem = 'characters' | 'format';

/** Digits of a phone number as typed, without spaces, dashes or a +86 country code. */
export function phoneDigits(value: string): string {
  return value
    .trim()
    .replace(/[\s-]/g, '')
    .replace(/^(\+86|0086)/, '');
}

/**
 * Why `value` is not a mainland mobile (11 digits, 13x-19x) or landline number (area code 0xx(x)
 * and 7-8 digits), or null when it is one.
 */
export function phoneProblem(value: string): PhoneProblem | null {
  const v = value.trim();
  if (!/^\+?[\d\s-]+$/.test(v)) return 'characters';
  const digits = phoneDigits(v);
  if (/^1[3-9]\d{9}$/.test(digits) || /^0\d{2,3}\d{7,8}$/.test(digits)) return null;
  return 'format';
}

export const PHONE_MESSAGES: Record<PhoneProblem, string> = {
  characters: 'a phone number has only digits (spaces, dashes and a leading + are fine)',
  format: 'expected a mobile number (11 digits starting with 1) or a landline with its area code',
};

/** Characters as a reader counts them (so 5 Chinese characters are 5, an emoji is 1). */
export function characterCount(value: string): number {
  return [...value.trim()].length;
}
