import { describe } from 'vitest';
import { loadConfig } from '../core/config/index.ts';
import { serviceAvailable } from './support/services.ts';
import { InfluxTimeSeries } from '../core/timeseries/influx.ts';
import { timeSeriesContract } from './contracts/timeseries-store.contract.ts';
import { createTestBucket } from './support/timeseries.ts';

const server = await serviceAvailable('influxdb');
if (server) {
  timeSeriesContract(`InfluxDB at ${server.host}:${server.port}`, async () => {
    const { config, drop } = await createTestBucket(loadConfig(process.env).influx!);
    return { store: new InfluxTimeSeries(config), cleanup: drop };
  });
} else {
  describe.skip('time-series contract: InfluxDB (INFLUX_URL not reachable; run scripts/services up)', () => {});
}
