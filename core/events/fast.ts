// Hand-tight checks for the hot event types, run before zod. Each answers true only for a value
// its zod schema accepts *and* returns unchanged (same keys, same values: nothing stripped,
// defaulted or coerced), so trusting it gives exactly what zod would; anything else, valid or not,
// is left to zod, which also words the refusal. This takes zod's per-value machinery (issue lists,
// result objects) off the ingest path, where every reading is checked on produce and on consume,
// and off each camera worker, which publishes a snapshot event per camera every few seconds.
import { z } from 'zod';
import { CITY_IDS } from '../domain/cities.ts';
import { CAMERA_ID } from './cameras.ts';
import { EVENT_TYPES } from './catalog.ts';

/** true: the schema would accept the value and return it unchanged. false: ask the schema. */
export type FastCheck = (value: unknown) => boolean;

// The very patterns the schemas use (z.iso.datetime({ offset: true }), air.ts's station id).
const DATETIME = z.regexes.datetime({ offset: true });
const STATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const EVENT_TYPE = /^[a-z0-9]+(\.[a-z0-9_]+)+$/;
const CITIES: ReadonlySet<unknown> = new Set(CITY_IDS);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const str = (v: unknown, min: number, max: number): boolean =>
  typeof v === 'string' && v.length >= min && v.length <= max;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const concentration = (v: unknown): boolean => finite(v) && v >= 0;
const datetime = (v: unknown): boolean => typeof v === 'string' && DATETIME.test(v);
const nonNegInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const positiveInt = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) > 0;
// z.url() trims the value and strips tabs and newlines from it, so only a value without any
// whitespace comes back unchanged; URL.canParse is the test z.url() itself applies.
const url = (v: unknown): boolean => typeof v === 'string' && !/\s/.test(v) && URL.canParse(v);

/** The CloudEvents envelope (envelope.ts), `data` aside. */
export function envelopeInShape(e: unknown): e is Record<string, unknown> {
  if (!isObject(e)) return false;
  let keys = 0;
  for (const k in e) {
    keys++;
    const v = e[k];
    switch (k) {
      case 'specversion':
        if (v !== '1.0') return false;
        break;
      case 'id':
        if (!str(v, 1, 200)) return false;
        break;
      case 'source':
        if (!str(v, 1, 500)) return false;
        break;
      case 'type':
        if (typeof v !== 'string' || !EVENT_TYPE.test(v)) return false;
        break;
      case 'time':
        if (!datetime(v)) return false;
        break;
      case 'subject':
        if (!str(v, 1, 200)) return false;
        break;
      case 'datacontenttype':
        if (v !== 'application/json') return false;
        break;
      case 'data':
        // z.unknown() takes anything, but an explicit undefined would not survive JSON.
        if (v === undefined) return false;
        break;
      default:
        return false;
    }
  }
  return keys === ('subject' in e ? 8 : 7);
}

/** air.ts `airReading`. */
export const airReadingInShape: FastCheck = (r) => {
  if (!isObject(r)) return false;
  let required = 0;
  for (const k in r) {
    const v = r[k];
    switch (k) {
      case 'stationId':
        if (typeof v !== 'string' || !STATION_ID.test(v)) return false;
        required++;
        break;
      case 'time':
        if (!datetime(v)) return false;
        required++;
        break;
      case 'city':
        if (!CITIES.has(v)) return false;
        required++;
        break;
      case 'pm25':
      case 'pm10':
      case 'o3':
      case 'no2':
      case 'so2':
      case 'co':
        if (!concentration(v)) return false;
        break;
      case 'temperature':
        if (!finite(v)) return false;
        break;
      case 'humidity':
        if (!finite(v) || v < 0 || v > 100) return false;
        break;
      case 'origin':
        if (!str(v, 0, 200)) return false;
        break;
      default:
        return false;
    }
  }
  return required === 3;
};

const SNAPSHOT_FIELDS: ReadonlyMap<string, FastCheck> = new Map<string, FastCheck>([
  ['cameraId', (v) => typeof v === 'string' && CAMERA_ID.test(v)],
  ['city', (v) => CITIES.has(v)],
  ['time', datetime],
  ['url', url],
  ['width', positiveInt],
  ['height', positiveInt],
  ['bytes', positiveInt],
  ['etag', (v) => typeof v === 'string'],
  ['sequence', nonNegInt],
  ['worker', (v) => typeof v === 'string'],
]);

/** cameras.ts `cameraSnapshot`: one per camera per snapshot interval, from every camera worker.
 * Every field but the optional `worker` is required. */
export const cameraSnapshotInShape: FastCheck = (s) => {
  if (!isObject(s)) return false;
  let keys = 0;
  for (const k in s) {
    const check = SNAPSHOT_FIELDS.get(k);
    if (!check?.(s[k])) return false;
    keys++;
  }
  return keys === SNAPSHOT_FIELDS.size - ('worker' in s ? 0 : 1);
};

/** Event type → its fast check; types without one are always checked by zod. */
export const FAST_CHECKS: Readonly<Record<string, FastCheck>> = {
  [EVENT_TYPES.airReading]: airReadingInShape,
  [EVENT_TYPES.cameraSnapshot]: cameraSnapshotInShape,
};
