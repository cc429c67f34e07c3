// Opens the configured time-series store: InfluxDB when INFLUX_URL is set, else the embedded
// store in the hub's SQL database.
// Each adapter (and the InfluxDB client) is imported only when chosen, so a role that never
// writes time series loads neither; import the classes from ./influx.ts or ./embedded.ts.
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { TimeSeriesStore } from './types.ts';

export type { Aggregate, Point, RangeQuery, SeriesRow, TimeSeriesStore } from './types.ts';
export { MAX_TIME_MS, MIN_TIME_MS, pointProblem, timeProblem, WriteRefusedError } from './refused.ts';

export async function openTimeSeries(config: Config, db: () => Promise<Db>): Promise<TimeSeriesStore> {
  if (config.influx) {
    const { InfluxTimeSeries } = await import('./influx.ts');
    return new InfluxTimeSeries(config.influx);
  }
  const { EmbeddedTimeSeries } = await import('./embedded.ts');
  return new EmbeddedTimeSeries(await db());
}
