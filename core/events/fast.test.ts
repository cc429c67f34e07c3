import { describe, expect, it } from 'vitest';
import { airReading } from './air.ts';
import { cameraSnapshot } from './cameras.ts';
import { EVENT_TYPES, TOPICS } from './catalog.ts';
import { cloudEventEnvelope, makeEvent } from './envelope.ts';
import { airReadingInShape, cameraSnapshotInShape, envelopeInShape } from './fast.ts';
import { decodeEvent, validateEvent } from './validate.ts';
import type { z } from 'zod';

// The promise of a fast check: true only where zod accepts the value and returns it unchanged.
function agreesWithZod(check: (v: unknown) => boolean, schema: z.ZodType, value: unknown) {
  if (!check(value)) return;
  const parsed = schema.safeParse(value);
  expect(parsed.success, JSON.stringify(value)).toBe(true);
  expect(parsed.data).toStrictEqual(value);
}

const reading = {
  stationId: 'GZ-0001',
  time: '2026-11-24T08:00:00.000Z',
  pm25: 35.2,
  pm10: 60,
  o3: 80,
  no2: 40,
  so2: 8,
  co: 0.7,
  temperature: -3.5,
  humidity: 64,
  city: 'guangzhou',
  origin: 'push:http:a',
};

const snapshot = {
  cameraId: 'SZ-CAM-001',
  city: 'shenzhen',
  time: '2026-11-24T08:00:00.000Z',
  url: 'http://10.0.0.7:8080/v1/cameras/SZ-CAM-001/snapshots/1795507200000.jpg',
  width: 1280,
  height: 720,
  bytes: 81234,
  etag: '"k3v0aW5nIGEgZ29vZCBldGFn"',
  sequence: 0,
  worker: 'ingest-1',
};

const oddUrls: unknown[] = [
  'http://x/a b',
  ' http://x/a',
  'http://x/a\n',
  'http://x/\ta',
  'http://x:99999/a',
  'http://[::1]:8080/a',
  'http:x',
  '//x/a',
  'mailto:ops@example.org',
  'http://ex ample.org/',
  'http://例子.测试/快照.jpg',
  'http://x/%zz',
  'http://\u00a0x/',
];

/** The value with one key changed (undefined deletes it). */
const with_ = <T extends object>(v: T, k: string, x: unknown) => {
  const out: Record<string, unknown> = { ...v, [k]: x };
  if (x === undefined) delete out[k];
  return out;
};

const oddValues: unknown[] = [
  undefined,
  null,
  -1,
  -0,
  0,
  1.5,
  101,
  1e308,
  Infinity,
  NaN,
  '',
  'x',
  '1',
  true,
  [],
  {},
  'foshan',
  '2026-02-29T00:00:00Z',
  '2028-02-29T00:00:00Z',
  '2026-11-31T00:00:00Z',
  '2026-11-24T24:00:00Z',
  '2026-11-24T08:00:00+08:00',
  '2026-11-24T08:00Z',
  '2026-11-24 08:00:00Z',
  'A'.repeat(65),
  'x'.repeat(201),
  'bad id',
];

describe('fast checks', () => {
  it('accept the shapes the hub itself produces', () => {
    expect(airReadingInShape(reading)).toBe(true);
    expect(cameraSnapshotInShape(snapshot)).toBe(true);
    expect(cameraSnapshotInShape(with_(snapshot, 'worker', undefined))).toBe(true);
    const event = makeEvent({
      type: EVENT_TYPES.airReading,
      source: '/x',
      subject: 'GZ-0001',
      data: reading,
    });
    expect(envelopeInShape(event)).toBe(true);
  });

  it('never vouch for what zod would refuse or change, whatever one field holds', () => {
    for (const k of [...Object.keys(reading), 'extra']) {
      for (const v of oddValues) agreesWithZod(airReadingInShape, airReading, with_(reading, k, v));
    }
    for (const k of [...Object.keys(snapshot), 'extra']) {
      for (const v of [...oddValues, ...oddUrls, 2 ** 53, 7]) {
        agreesWithZod(cameraSnapshotInShape, cameraSnapshot, with_(snapshot, k, v));
      }
    }
    const event = makeEvent({
      type: EVENT_TYPES.airReading,
      source: '/x',
      subject: 'GZ-0001',
      data: reading,
    });
    for (const k of [...Object.keys(event), 'extra']) {
      for (const v of [...oddValues, '1.0', 'application/json', 'city.air.reading.v1', 'City.Air']) {
        const candidate = with_(event, k, v);
        if (envelopeInShape(candidate)) {
          const parsed = cloudEventEnvelope.safeParse(candidate);
          expect(parsed.success, JSON.stringify(candidate)).toBe(true);
          expect(parsed.data).toStrictEqual(candidate);
        }
      }
    }
  });

  it('leave refusals to zod, which names the field', () => {
    const event = makeEvent({
      type: EVENT_TYPES.airReading,
      source: '/x',
      data: { ...reading, humidity: 120 },
    });
    const checked = validateEvent(TOPICS.airReadings, event);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.issues.map((i) => i.path)).toEqual(['data.humidity']);
  });

  it('give the same event zod gives, and a copy of what the caller still holds', () => {
    const event = makeEvent({
      type: EVENT_TYPES.airReading,
      source: '/x',
      subject: 'GZ-0001',
      data: reading,
    });
    const checked = validateEvent(TOPICS.airReadings, event);
    expect(checked).toStrictEqual({ ok: true, event });
    if (checked.ok) {
      expect(checked.event).not.toBe(event);
      expect(checked.event.data).not.toBe(event.data);
    }
    const decoded = decodeEvent(TOPICS.airReadings, Buffer.from(JSON.stringify(event)));
    expect(decoded).toStrictEqual({ ok: true, event });
  });
});
