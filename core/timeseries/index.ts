// Opens the configured time-series store: InfluxDB when INFLUX_URL is set, else the embedded
// store in the hub's SQL database.
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { EmbeddedTimeSeries } from './embedded.ts';
import { InfluxTimeSeries } from './influx.ts';
import type { TimeSeriesStore } from './types.ts';

export type { Aggregate, Point, RangeQuery, SeriesRow, TimeSeriesStore } from './types.ts';
export { EmbeddedTimeSeries } from './embedded.ts';
export { InfluxTimeSeries } from './influx.ts';
export { MAX_TIME_MS, MIN_TIME_MS, pointProblem, timeProblem, WriteRefusedError } from './refused.ts';

export async function openTimeSeries(config: Config, db: () => Promise<Db>): Promise<TimeSeriesStore> {
  if (config.influx) return new InfluxTimeSeries(config.influx);
  return new EmbeddedTimeSeries(await db());
}
