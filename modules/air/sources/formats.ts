// Feed formats: each turns one response body into raw readings for the intake, keyed by our
// station ids through the source's `stations` map (the feed's own location/sensor id → ours).
// Items of stations not in the map are skipped: a public feed carries the whole world.
import type { AirSource } from '../../../core/config/sections/air.ts';

export interface RawReading {
  stationId: string;
  time: string | number;
  units?: Record<string, string>;
  [measure: string]: unknown;
}

export type FormatParser = (body: unknown, source: AirSource) => RawReading[];

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class FeedFormatError extends Error {}

/**
 * OpenAQ v3 `GET /v3/locations/{id}/latest`: results [{datetime:{utc}, value, sensorsId,
 * locationsId}]. Which parameter a sensor measures comes from the location's sensors list
 * (`GET /v3/locations/{id}`), which the poller fetches once and passes in as `sensors`.
 */
export function openaq(
  body: unknown,
  source: AirSource,
  sensors: Map<number, { parameter: string; units: string }>,
): RawReading[] {
  if (!isObject(body) || !Array.isArray(body.results))
    throw new FeedFormatError('expected {results: [...]} (OpenAQ v3)');
  const byStationTime = new Map<string, RawReading>();
  for (const r of body.results as Record<string, unknown>[]) {
    const stationId = source.stations[String(r.locationsId)];
    const sensor = sensors.get(Number(r.sensorsId));
    const utc = isObject(r.datetime) ? r.datetime.utc : undefined;
    if (!stationId || !sensor || typeof utc !== 'string') continue;
    const name = OPENAQ_PARAMETERS[sensor.parameter];
    if (!name) continue;
    const key = `${stationId}@${utc}`;
    let reading = byStationTime.get(key);
    if (!reading) byStationTime.set(key, (reading = { stationId, time: utc, units: {} }));
    reading[name] = r.value;
    if (name !== 'temperature' && name !== 'humidity') reading.units![name] = sensor.units;
  }
  return [...byStationTime.values()];
}

const OPENAQ_PARAMETERS: Record<string, string> = {
  pm25: 'pm25',
  pm10: 'pm10',
  o3: 'o3',
  no2: 'no2',
  so2: 'so2',
  co: 'co',
  temperature: 'temperature',
  relativehumidity: 'humidity',
};

/** Sensor.Community (`/airrohr/v1/...` or `/static/v2/data.json`): P1 = PM10, P2 = PM2.5, UTC times without a zone. */
export const sensorCommunity: FormatParser = (body, source) => {
  if (!Array.isArray(body)) throw new FeedFormatError('expected a JSON array (Sensor.Community)');
  const out: RawReading[] = [];
  for (const item of body as Record<string, unknown>[]) {
    const location = isObject(item.location) ? item.location : {};
    const sensor = isObject(item.sensor) ? item.sensor : {};
    const stationId = source.stations[String(location.id)] ?? source.stations[String(sensor.id)];
    if (!stationId || typeof item.timestamp !== 'string') continue;
    const reading: RawReading = { stationId, time: `${item.timestamp.replace(' ', 'T')}Z` };
    for (const v of Array.isArray(item.sensordatavalues)
      ? (item.sensordatavalues as Record<string, unknown>[])
      : []) {
      const name = { P1: 'pm10', P2: 'pm25', temperature: 'temperature', humidity: 'humidity' }[
        String(v.value_type)
      ];
      if (name) reading[name] = Number(v.value);
    }
    out.push(reading);
  }
  return out;
};

/** PurpleAir API v1 `GET /v1/sensors?fields=...`: column names in `fields`, rows in `data`; temperature in °F. */
export const purpleair: FormatParser = (body, source) => {
  if (!isObject(body) || !Array.isArray(body.fields) || !Array.isArray(body.data)) {
    throw new FeedFormatError('expected {fields: [...], data: [[...]]} (PurpleAir API v1)');
  }
  const col = (name: string) => (body.fields as string[]).indexOf(name);
  const idx = {
    id: col('sensor_index'),
    seen: col('last_seen'),
    pm25: col('pm2.5_atm'),
    pm10: col('pm10.0_atm'),
    t: col('temperature'),
    h: col('humidity'),
  };
  if (idx.id < 0 || idx.seen < 0)
    throw new FeedFormatError('PurpleAir response lacks sensor_index or last_seen');
  const out: RawReading[] = [];
  for (const row of body.data as unknown[][]) {
    const stationId = source.stations[String(row[idx.id])];
    if (!stationId) continue;
    const reading: RawReading = { stationId, time: Number(row[idx.seen]) * 1000 };
    if (idx.pm25 >= 0 && row[idx.pm25] != null) reading.pm25 = row[idx.pm25];
    if (idx.pm10 >= 0 && row[idx.pm10] != null) reading.pm10 = row[idx.pm10];
    if (idx.t >= 0 && typeof row[idx.t] === 'number')
      reading.temperature = Math.round(((((row[idx.t] as number) - 32) * 5) / 9) * 10) / 10;
    if (idx.h >= 0 && row[idx.h] != null) reading.humidity = row[idx.h];
    out.push(reading);
  }
  return out;
};

function at(obj: unknown, path: string): unknown {
  if (path === '') return obj;
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Any JSON feed: `mapping` says where the items are and which dotted path holds what. */
export const mapped: FormatParser = (body, source) => {
  const m = source.mapping!;
  const items = at(body, m.items);
  if (!Array.isArray(items)) throw new FeedFormatError(`expected an array at "${m.items || '(root)'}"`);
  return items.map((item) => {
    const own = String(at(item, m.stationId));
    const rawTime = at(item, m.time);
    const time =
      m.timeFormat === 'epoch-s'
        ? Number(rawTime) * 1000
        : m.timeFormat === 'epoch-ms'
          ? Number(rawTime)
          : (rawTime as string);
    const reading: RawReading = { stationId: source.stations[own] ?? own, time, units: { ...m.units } };
    for (const [name, path] of Object.entries(m.fields)) {
      const v = at(item, path);
      if (v !== undefined && v !== null) reading[name] = v;
    }
    return reading;
  });
};
