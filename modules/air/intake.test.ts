import { describe, expect, it } from 'vitest';
import type { Bus } from '../../core/bus/index.ts';
import type { CloudEvent } from '../../core/events/envelope.ts';
import type { StationCache } from '../../core/domain/stations.ts';
import { createIntake } from './intake.ts';

/** An intake on a bus that keeps what it is given, per topic. */
function intakeWith() {
  const published = new Map<string, { key: string | null; event: CloudEvent | null }[]>();
  const bus = {
    publish: async (topic: string, records: { key: string | null; event: CloudEvent | null }[]) => {
      published.set(topic, [...(published.get(topic) ?? []), ...records]);
    },
  } as unknown as Bus;
  const station = { id: 'GZ-1', name: 'x', city: 'guangzhou', lat: 23.1, lon: 113.3, enabled: true };
  const stations = {
    get: (id: string) => (id === 'GZ-1' ? station : undefined),
    ensure: async () => undefined,
  } as unknown as StationCache;
  const config = { sources: [], maxFutureMs: 300_000, maxAgeMs: 86_400_000, demoIntervalSeconds: 5 };
  return { intake: createIntake(bus, stations, config), published };
}

const item = (value: unknown, index = 0) => ({ index, value });
const time = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();

describe('air intake', () => {
  it('publishes each accepted reading keyed by station, and nothing else (the AQI is derived downstream)', async () => {
    const { intake, published } = intakeWith();
    const result = await intake.submit(
      [item({ stationId: 'GZ-1', time, pm25: 80 }), item({ stationId: 'GZ-1', time, temperature: 20 }, 1)],
      { origin: 'push:http:acme' },
    );
    expect(result.accepted).toBe(1 + 1);
    expect(published.get('air.readings.v1')?.map((r) => r.key)).toEqual(['GZ-1', 'GZ-1']);
    expect(published.get('air.readings.v1')?.[0]).toMatchObject({
      event: { id: `GZ-1/${time}`, type: 'city.air.reading.v1', data: { stationId: 'GZ-1', pm25: 80 } },
    });
    expect([...published.keys()]).toEqual(['air.readings.v1']);
  });

  it("publishes a streamed request's readings on commit, not before", async () => {
    const { intake, published } = intakeWith();
    const batch = intake.begin({ origin: 'push:influx:acme', maxRejections: 10 });
    await batch.add([
      item({ stationId: 'GZ-1', time, pm25: 80 }),
      item({ stationId: 'nope', time, pm25: 1 }, 1),
    ]);
    expect(published.size).toBe(0);
    const result = await batch.commit(false);
    expect(result.accepted).toBe(1);
    expect(result.refused.items).toBe(1);
    expect(published.get('air.readings.v1')).toHaveLength(1);
    expect([...published.keys()]).toEqual(['air.readings.v1']);
  });

  it('publishes nothing when an atomic request has a refusal', async () => {
    const { intake, published } = intakeWith();
    const result = await intake.submit(
      [item({ stationId: 'GZ-1', time, pm25: 80 }), item({ stationId: 'nope', time, pm25: 1 }, 1)],
      { origin: 'push:http:acme', atomic: true },
    );
    expect(result).toMatchObject({ accepted: 0, rejected: [{ index: 1, field: 'stationId' }] });
    expect(published.size).toBe(0);
  });
});
