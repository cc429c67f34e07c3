// The one-command demo on embedded defaults: demo stations are seeded and the demo feed is pulled
// over HTTP by the ordinary poller, through the bus, the sink and the AQI computation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_WITHOUT_CAMERAS, startHub, type HubProcess } from './support/hub-process.ts';
import { waitFor } from './support/wait.ts';

describe('air demo on embedded defaults (citystream start)', () => {
  let hub: HubProcess | undefined;
  afterAll(async () => {
    await hub?.stop();
  });

  it('serves live, drifting readings and AQI for the three pilot cities', async () => {
    hub = await startHub({
      CITYSTREAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'air-demo-')),
      ...DEMO_WITHOUT_CAMERAS,
      CITYSTREAM_AIR_DEMO_INTERVAL_SECONDS: '1',
    });
    const get = async <T>(path: string) => (await (await fetch(`${hub!.url}${path}`)).json()) as T;
    for (const city of ['shenzhen', 'guangzhou', 'foshan']) {
      const { items } = await get<{ items: { id: string; lat: number; lon: number }[] }>(
        `/v1/air/stations?city=${city}`,
      );
      expect(items.length).toBeGreaterThanOrEqual(3);
    }
    const aqi = await waitFor(
      async () => {
        const a = await get<{ items: unknown[]; cn: { aqi: number } | null }>('/v1/air/aqi?city=foshan');
        return a.items.length === 3 ? a : null;
      },
      'AQI of the foshan demo stations',
      20_000,
      250,
    );
    expect(aqi.cn!.aqi).toBeGreaterThan(0);
    type Latest = { reading: { time: string; pm25: number } };
    const first = await get<Latest>('/v1/air/stations/SZ-0001/latest');
    const later = await waitFor(
      async () => {
        const l = await get<Latest>('/v1/air/stations/SZ-0001/latest');
        return l.reading.time > first.reading.time ? l : null;
      },
      'a newer demo reading',
      10_000,
      250,
    );
    expect(later.reading.pm25).toBeGreaterThan(0);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/citystream_air_readings_stored_total \d+/);
  }, 60_000);
});
