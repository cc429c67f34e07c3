// The time-series store contract (InfluxDB 2.x adapter and embedded PostgreSQL/PGlite adapter).
// A point is one sample of a series; a series is a measurement plus its tag set.

export interface Point {
  measurement: string;
  /** Identify the series (e.g. stationId, city). Keep cardinality bounded. */
  tags: Record<string, string>;
  /** Numeric samples (e.g. pm25, temperature). */
  fields: Record<string, number>;
  time: Date;
}

export type Aggregate = 'mean' | 'min' | 'max';

export interface RangeQuery {
  measurement: string;
  /** Exact-match filters on tags. */
  tags: Record<string, string>;
  from: Date;
  to: Date;
  /** Only these fields; all when omitted. */
  fields?: string[];
  /** Window size in ms for aggregation; raw points when omitted. */
  everyMs?: number;
  /** Aggregate applied per window; default mean. */
  aggregate?: Aggregate;
}

export interface SeriesRow {
  time: Date;
  tags: Record<string, string>;
  fields: Record<string, number>;
}

export interface TimeSeriesStore {
  readonly kind: 'influxdb' | 'embedded';
  /**
   * Buffers and writes in batches; resolves only once these points are acknowledged as stored.
   * Writing the same series and time again replaces the sample (idempotent re-delivery).
   */
  write(points: Point[]): Promise<void>;
  /** Latest sample of each matching series. */
  latest(measurement: string, tags: Record<string, string>, fields?: string[]): Promise<SeriesRow[]>;
  range(query: RangeQuery): Promise<SeriesRow[]>;
  /**
   * Keep samples for at least `ms`: older ones are dropped (on write at once, stored ones by the
   * store's own expiry). InfluxDB enforces a minimum of one hour.
   */
  retention(ms: number): Promise<void>;
  health(): Promise<void>;
  /** Flushes what is buffered, then releases connections. */
  close(): Promise<void>;
}
