// The embedded time-series store: samples in a PostgreSQL/PGlite table (migration 0100), window
// aggregation with date_bin aligned to the epoch like InfluxDB's aggregateWindow.
import type { Db } from '../db/index.ts';
import { Batcher, DEFAULT_BATCHER_OPTIONS, type BatcherOptions } from './batcher.ts';
import { latestBySeries, rowsBySeriesAndTime, seriesKey, type Sample } from './series.ts';
import { pointProblem, WriteRefusedError } from './refused.ts';
import type { Point, RangeQuery, SeriesRow, TimeSeriesStore } from './types.ts';

interface SampleRow {
  tags: Record<string, string>;
  field: string;
  time: Date;
  value: number;
}

export class EmbeddedTimeSeries implements TimeSeriesStore {
  readonly kind = 'embedded' as const;
  private readonly batcher: Batcher;
  private retentionMs: number | null = null;
  private retentionTimer: NodeJS.Timeout | null = null;

  private readonly db: Db;

  constructor(db: Db, options: Partial<BatcherOptions> = {}) {
    this.db = db;
    this.batcher = new Batcher((points) => this.insert(points), {
      ...DEFAULT_BATCHER_OPTIONS,
      batchSize: 2_000,
      ...options,
    });
  }

  async write(points: Point[]): Promise<void> {
    for (const p of points) validatePoint(p);
    return this.batcher.write(points);
  }

  private async insert(points: Point[]): Promise<void> {
    const cutoff = this.retentionMs === null ? -Infinity : Date.now() - this.retentionMs;
    // One row per (series, field, time); the last write of a duplicate wins, as in InfluxDB.
    const samples = new Map<string, [string, string, string, string, string, number]>();
    for (const p of points) {
      if (p.time.getTime() < cutoff) continue; // beyond retention: dropped, as InfluxDB does
      const series = seriesKey(p.tags);
      const tags = JSON.stringify(p.tags);
      const time = p.time.toISOString();
      for (const [field, value] of Object.entries(p.fields)) {
        samples.set(`${p.measurement}\u0000${series}\u0000${field}\u0000${time}`, [
          p.measurement,
          series,
          tags,
          field,
          time,
          value,
        ]);
      }
    }
    if (samples.size === 0) return;
    const cols: [string[], string[], string[], string[], string[], number[]] = [[], [], [], [], [], []];
    for (const s of samples.values()) for (let i = 0; i < 6; i++) (cols[i] as unknown[]).push(s[i]);
    await this.db.query(
      `INSERT INTO ts_samples (measurement, series, tags, field, time, value)
       SELECT m, s, t::jsonb, f, ts::timestamptz, v
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[]) AS u(m, s, t, f, ts, v)
       ON CONFLICT (measurement, series, field, time) DO UPDATE SET value = excluded.value`,
      cols,
    );
  }

  async latest(measurement: string, tags: Record<string, string>, fields?: string[]): Promise<SeriesRow[]> {
    const { rows } = await this.db.query<SampleRow>(
      `SELECT DISTINCT ON (series, field) tags, field, time, value
         FROM ts_samples
        WHERE measurement = $1 AND tags @> $2::jsonb AND ($3::text[] IS NULL OR field = ANY($3::text[]))
          AND ($4::timestamptz IS NULL OR time >= $4::timestamptz)
        ORDER BY series, field, time DESC`,
      [measurement, JSON.stringify(tags), fields ?? null, this.cutoff()],
    );
    return latestBySeries(rows.map(toSample));
  }

  async range(q: RangeQuery): Promise<SeriesRow[]> {
    const from = this.cutoff() && this.cutoff()! > q.from ? this.cutoff()! : q.from;
    const params = [q.measurement, JSON.stringify(q.tags), q.fields ?? null, from, q.to];
    const where = `measurement = $1 AND tags @> $2::jsonb AND ($3::text[] IS NULL OR field = ANY($3::text[]))
                   AND time >= $4::timestamptz AND time < $5::timestamptz`;
    if (!q.everyMs) {
      const { rows } = await this.db.query<SampleRow>(
        `SELECT tags, field, time, value FROM ts_samples WHERE ${where} ORDER BY series, time`,
        params,
      );
      return rowsBySeriesAndTime(rows.map(toSample));
    }
    const fn = { mean: 'avg', min: 'min', max: 'max' }[q.aggregate ?? 'mean'];
    // Windows are aligned to the epoch; the first one starts at `from` when that cuts it, which is
    // what InfluxDB reports as the window start too.
    const { rows } = await this.db.query<SampleRow>(
      `SELECT min(tags::text)::jsonb AS tags, field,
              greatest(date_bin(make_interval(secs => $6::float8 / 1000), time, 'epoch'::timestamptz), $4::timestamptz) AS time,
              ${fn}(value) AS value
         FROM ts_samples WHERE ${where}
        GROUP BY series, field, 3 ORDER BY series, 3`,
      [...params, q.everyMs],
    );
    return rowsBySeriesAndTime(rows.map(toSample));
  }

  async retention(ms: number): Promise<void> {
    this.retentionMs = ms;
    await this.expire();
    if (!this.retentionTimer) {
      this.retentionTimer = setInterval(
        () => void this.expire().catch(() => undefined),
        Math.min(Math.max(ms / 10, 1_000), 60_000),
      );
      this.retentionTimer.unref();
    }
  }

  private cutoff(): Date | null {
    return this.retentionMs === null ? null : new Date(Date.now() - this.retentionMs);
  }

  private async expire(): Promise<void> {
    const cutoff = this.cutoff();
    if (cutoff) await this.db.query('DELETE FROM ts_samples WHERE time < $1', [cutoff]);
  }

  async health(): Promise<void> {
    await this.db.query('SELECT 1 FROM ts_samples LIMIT 1');
  }

  async close(): Promise<void> {
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.batcher.close();
  }
}

function toSample(r: SampleRow): Sample {
  return { tags: r.tags, field: r.field, time: r.time, value: Number(r.value) };
}

/** Throws WriteRefusedError for a point no store can take, before anything is sent. */
export function validatePoint(p: Point): void {
  const problem = pointProblem(p);
  if (problem) throw new WriteRefusedError(problem);
}
