import { describe, expect, it } from 'vitest';
import { normaliseReading, rawProblems, type NormaliseOptions } from './normalise.ts';
import { ppbToUgm3, toStandardUnit } from '../../core/domain/units.ts';

const NOW = Date.parse('2026-11-24T08:00:00Z');
const options: NormaliseOptions = {
  now: NOW,
  maxFutureMs: 300_000,
  maxAgeMs: 7 * 86_400_000,
  station: (id) =>
    id === 'GZ-0001'
      ? { id, name: 'Guangya', city: 'guangzhou', lat: 23.14, lon: 113.26, enabled: true, names: {} }
      : undefined,
  origin: 'test',
};

describe('units', () => {
  it('converts mixing ratios at 25 °C and 1 atm (24.45 L/mol)', () => {
    expect(ppbToUgm3('no2', 100)).toBeCloseTo(188.18, 2);
    expect(ppbToUgm3('o3', 100)).toBeCloseTo(196.32, 2);
    expect(ppbToUgm3('so2', 100)).toBeCloseTo(262.04, 2);
    expect(toStandardUnit('co', 1, 'ppm')).toBeCloseTo(1.1456, 4); // mg/m³
    expect(toStandardUnit('co', 1500, 'µg/m³')).toBe(1.5);
    expect(toStandardUnit('pm25', 10, 'ppb')).toBeNull();
  });
});

describe('normaliseReading', () => {
  it('fills the city from the registry and converts declared units', () => {
    const r = normaliseReading(
      {
        stationId: 'GZ-0001',
        time: '2026-11-24T15:59:00+08:00',
        no2: 50,
        units: { no2: 'ppb' },
        humidity: 60,
      },
      options,
    );
    expect(r).toEqual({
      ok: true,
      reading: {
        stationId: 'GZ-0001',
        city: 'guangzhou',
        time: '2026-11-24T07:59:00.000Z',
        no2: 94.09,
        humidity: 60,
        origin: 'test',
      },
    });
  });

  it('names each bad field: type, range, unknown station, unit, clock skew, nothing measured', () => {
    const bad = (input: unknown) => {
      const r = normaliseReading(input, options);
      return r.ok ? [] : r.rejections;
    };
    expect(bad({ stationId: 'GZ-0001', time: NOW, pm25: '12' })).toEqual([
      { field: 'pm25', reason: 'expected a number' },
    ]);
    expect(bad({ stationId: 'XX-1', time: NOW, pm25: 12 })).toEqual([
      { field: 'stationId', reason: 'unknown station XX-1' },
    ]);
    const disabled = {
      id: 'GZ-0002',
      name: 'Off',
      city: 'guangzhou' as const,
      lat: 23.1,
      lon: 113.3,
      names: {},
    };
    const withDisabled = (input: unknown) => {
      const r = normaliseReading(input, {
        ...options,
        station: (id) => (id === 'GZ-0002' ? { ...disabled, enabled: false } : options.station(id)),
      });
      return r.ok ? [] : r.rejections;
    };
    expect(withDisabled({ stationId: 'GZ-0002', time: NOW, pm25: 12 })).toEqual([
      { field: 'stationId', reason: 'station GZ-0002 is disabled' },
    ]);
    // Also when another field fails the schema, as for an unknown station.
    expect(withDisabled({ stationId: 'GZ-0002', time: NOW, pm25: '12' })).toEqual([
      { field: 'stationId', reason: 'station GZ-0002 is disabled' },
      { field: 'pm25', reason: 'expected a number' },
    ]);
    expect(bad({ stationId: 'GZ-0001', time: NOW, humidity: 140 })).toEqual([
      { field: 'humidity', reason: '140 is outside the plausible range 0..100' },
    ]);
    expect(bad({ stationId: 'GZ-0001', time: NOW, pm25: 5, units: { pm25: 'ppb' } })).toEqual([
      { field: 'units.pm25', reason: 'unit "ppb" does not apply to pm25' },
    ]);
    const reasons = (input: unknown) => bad(input).map((r) => `${r.field}: ${r.reason}`);
    expect(reasons({ stationId: 'GZ-0001', time: NOW + 600_000, pm25: 5 })).toEqual([
      'time: 2026-11-24T08:10:00.000Z is 600 s in the future (clock skew limit 300 s)',
    ]);
    expect(reasons({ stationId: 'GZ-0001', time: NOW - 8 * 86_400_000, pm25: 5 })).toEqual([
      'time: 2026-11-16T08:00:00.000Z is older than the 168 h accepted',
    ]);
    expect(reasons({ stationId: 'GZ-0001', time: NOW })).toEqual([
      ': no measurement: expected at least one of pm25, pm10, o3, no2, so2, co, temperature, humidity',
    ]);
    expect(bad({ stationId: 'GZ-0001', time: '24/11/2026', pm25: 1 })[0]).toMatchObject({ field: 'time' });
    expect(bad([1, 2])).toEqual([{ field: '', reason: 'expected a JSON object (one reading)' }]);
  });
});

describe('normaliseReading: times no store can hold', () => {
  const base = { stationId: 'GZ-0001', pm25: 10 };
  const far = { ...options, maxFutureMs: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER };

  it.each([
    ['epoch ms past what a JS Date can represent', 9e15, options],
    ['epoch ms past 2262 (InfluxDB nanoseconds)', Date.parse('2263-01-01T00:00:00Z'), far],
    ['an ISO year before 1677', '1500-01-01T00:00:00Z', far],
    ['ISO year 0000', '0000-01-01T00:00:00Z', far],
  ])('refuses %s as a field error on time, even when the clock limits allow it', (_label, time, o) => {
    const r = normaliseReading({ ...base, time }, o);
    expect(r.ok).toBe(false);
    const rejections = (r as { rejections: { field: string; reason: string }[] }).rejections;
    expect(rejections).toEqual([
      {
        field: 'time',
        reason: expect.stringMatching(/outside the range a time-series store can hold/) as unknown,
      },
    ]);
  });

  it('still takes the extremes a store can hold when the clock limits allow them', () => {
    for (const time of ['1677-09-22T00:00:00Z', '2262-04-11T00:00:00Z']) {
      expect(normaliseReading({ ...base, time }, far).ok).toBe(true);
    }
  });
});

describe('normaliseReading without units', () => {
  // `units: {}` converts nothing but always goes through the schema: the plain-reading shortcut
  // must give exactly what the schema path gives, for good and bad values alike.
  it('judges a reading the same with or without the schema', () => {
    const base = { stationId: 'GZ-0001', time: '2026-11-24T07:59:00Z', pm25: 35.2, no2: 40, humidity: 60 };
    const odd: unknown[] = [
      undefined,
      null,
      -1,
      0,
      1.5,
      1e9,
      NaN,
      Infinity,
      '12',
      true,
      {},
      NOW - 60_000,
      NOW - 60_000.5,
      '2026-11-24T15:59:00+08:00',
      '2026-11-24T07:59:00',
      '2026-02-30T07:59:00Z',
      'NO-SUCH',
      'bad id',
    ];
    for (const key of ['stationId', 'time', 'pm25', 'co', 'temperature', 'humidity', 'extra']) {
      for (const value of odd) {
        const input = { ...base, [key]: value };
        const viaSchema = normaliseReading({ ...input, units: {} }, options);
        expect(normaliseReading(input, options), `${key}=${String(value)}`).toEqual(viaSchema);
      }
    }
  });
});

// The hand-worded refusals (rawProblems) must be zod's, word for word and in zod's order, for every
// mix of the shapes they handle (several fields wrong at once included): `units: {}` sends the same
// item through zod (rawProblems leaves any item with units to it), and both answers must be equal.
const ABSENT = Symbol('absent');
const stationIds = [ABSENT, 'GZ-0001', 'NOPE-1', '', 'bad id', 'x'.repeat(65), 5, NaN, null, true, {}, []];
const times = [
  ABSENT,
  '2026-11-24T07:59:00Z',
  'yesterday',
  '2026-11-24T07:59:00',
  NOW - 60_000,
  -1,
  1.5,
  2 ** 53,
  -Infinity,
  null,
  false,
  {},
];
const values = [ABSENT, 35.2, -1, 'high', null, true, NaN, Infinity, [], {}];

/** Keys in another order than the schema's (co before pm25): refusals follow the schema's order. */
function item(stationId: unknown, time: unknown, pm25: unknown, co: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { extra: 'ignored' };
  for (const [k, v] of Object.entries({ co, time, pm25, stationId })) if (v !== ABSENT) out[k] = v;
  return out;
}

describe('hand-worded refusals', () => {
  it('say what zod says, in its order, for every mix of these fields', () => {
    let handled = 0;
    for (const stationId of stationIds)
      for (const time of times)
        for (const pm25 of values)
          for (const co of [ABSENT, 'x', 12]) {
            const input = item(stationId, time, pm25, co);
            const viaZod = normaliseReading({ ...input, units: {} }, options);
            const label = JSON.stringify(input, (_k, v: unknown) => (typeof v === 'number' ? String(v) : v));
            expect(normaliseReading(input, options), label).toEqual(viaZod);
            if (rawProblems(input)?.length) handled++;
          }
    // Most of these mixes are answered by hand; the test above holds for all of them.
    expect(handled).toBeGreaterThan(1000);
  });

  it('leave items with units, and objects where a scalar goes, to zod', () => {
    expect(rawProblems({ stationId: 'S', time: 1, units: 'x' })).toBeNull();
    expect(rawProblems({ stationId: {}, time: 1 })).toBeNull();
    expect(rawProblems({ stationId: 'S', time: [] })).toBeNull();
    expect(rawProblems({ stationId: 'S', time: 1.5 })).toBeNull();
  });
});
