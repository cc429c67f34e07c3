// The InfluxDB 2.x adapter: writes through the client's WriteApi (line protocol, gzip), reads
// with Flux through the QueryApi. Retries are ours (Batcher), so a write resolves exactly when
// InfluxDB acknowledged it and a caller never waits on a retry buffer it cannot see.
import {
  flux,
  fluxExpression,
  HttpError,
  InfluxDB,
  setLogger,
  type WriteApi,
} from '@influxdata/influxdb-client';
import type { InfluxConfig } from '../config/index.ts';
import { Batcher, DEFAULT_BATCHER_OPTIONS, type BatcherOptions } from './batcher.ts';
import { toLine } from './line-protocol.ts';
import { validatePoint } from './embedded.ts';
import { WriteRefusedError } from './refused.ts';
import { assertName, latestBySeries, rowsBySeriesAndTime, type Sample } from './series.ts';
import type { Point, RangeQuery, SeriesRow, TimeSeriesStore } from './types.ts';

// Every failure reaches our caller as a rejected write or query; the client's own console
// logging would only repeat them outside the hub's logger.
setLogger({ error: () => undefined, warn: () => undefined });

const META_COLUMNS = new Set([
  'result',
  'table',
  '_start',
  '_stop',
  '_time',
  '_value',
  '_field',
  '_measurement',
]);

export class InfluxTimeSeries implements TimeSeriesStore {
  readonly kind = 'influxdb' as const;
  private readonly client: InfluxDB;
  private readonly writeApi: WriteApi;
  private readonly batcher: Batcher;

  private readonly config: InfluxConfig;

  constructor(config: InfluxConfig, options: Partial<BatcherOptions> = {}) {
    this.config = config;
    this.client = new InfluxDB({ url: config.url, token: config.token, timeout: 10_000 });
    const batching = { ...DEFAULT_BATCHER_OPTIONS, ...options };
    this.writeApi = this.client.getWriteApi(config.org, config.bucket, 'ms', {
      // Larger than any batch we hand it, so it never flushes on its own: we flush per batch.
      batchSize: batching.batchSize + 1,
      flushInterval: 0,
      maxRetries: 0,
      gzipThreshold: 64 * 1024,
    });
    this.batcher = new Batcher((points) => this.send(points), batching);
  }

  async write(points: Point[]): Promise<void> {
    for (const p of points) validatePoint(p);
    return this.batcher.write(points);
  }

  private async send(points: Point[]): Promise<void> {
    // ms timestamps, as the WriteApi was opened with; a point without fields has nothing to store.
    const lines: string[] = [];
    for (const p of points) {
      const line = toLine(p);
      if (line !== null) lines.push(line);
    }
    if (lines.length === 0) return;
    this.writeApi.writeRecords(lines);
    try {
      await this.writeApi.flush();
    } catch (err) {
      // Points older than the bucket's retention are dropped by InfluxDB on purpose (HTTP 422
      // "partial write: dropped N points outside retention policy"): the others in the request are stored.
      if (
        err instanceof HttpError &&
        err.statusCode === 422 &&
        /outside retention policy/.test(err.body ?? '')
      )
        return;
      throw refusal(err) ?? err;
    }
  }

  async latest(measurement: string, tags: Record<string, string>, fields?: string[]): Promise<SeriesRow[]> {
    const query = flux`from(bucket: ${this.config.bucket})
      |> range(start: 0)
      |> filter(fn: (r) => ${this.predicate(measurement, tags, fields)})
      |> last()`;
    return latestBySeries(await this.samples(query.toString()));
  }

  async range(q: RangeQuery): Promise<SeriesRow[]> {
    let query = flux`from(bucket: ${this.config.bucket})
      |> range(start: ${q.from}, stop: ${q.to})
      |> filter(fn: (r) => ${this.predicate(q.measurement, q.tags, q.fields)})`.toString();
    if (q.everyMs) {
      if (!Number.isInteger(q.everyMs) || q.everyMs <= 0) throw new Error(`invalid window: ${q.everyMs} ms`);
      const fn = q.aggregate ?? 'mean';
      query += `\n  |> aggregateWindow(every: ${q.everyMs}ms, fn: ${fn}, createEmpty: false, timeSrc: "_start")`;
    }
    return rowsBySeriesAndTime(await this.samples(query));
  }

  /** Flux predicate; names are validated, values go through the client's string escaping. */
  private predicate(measurement: string, tags: Record<string, string>, fields?: string[]) {
    assertName('measurement', measurement);
    const parts = [flux`r._measurement == ${measurement}`.toString()];
    for (const [k, v] of Object.entries(tags)) {
      assertName('tag', k);
      parts.push(flux`r.${fluxExpression(k)} == ${v}`.toString());
    }
    if (fields && fields.length > 0) {
      for (const f of fields) assertName('field', f);
      parts.push(`(${fields.map((f) => flux`r._field == ${f}`.toString()).join(' or ')})`);
    }
    return fluxExpression(parts.join(' and '));
  }

  private async samples(query: string): Promise<Sample[]> {
    const out: Sample[] = [];
    for await (const { values, tableMeta } of this.client.getQueryApi(this.config.org).iterateRows(query)) {
      const row = tableMeta.toObject(values);
      const tags: Record<string, string> = {};
      for (const col of tableMeta.columns) {
        if (!META_COLUMNS.has(col.label) && typeof row[col.label] === 'string') {
          tags[col.label] = row[col.label] as string;
        }
      }
      const value = Number(row._value);
      if (!Number.isFinite(value)) continue;
      out.push({ tags, field: String(row._field), time: new Date(String(row._time)), value });
    }
    return out;
  }

  async retention(ms: number): Promise<void> {
    const seconds = Math.max(3600, Math.ceil(ms / 1000));
    const bucket = await this.bucket();
    await this.api('PATCH', `/api/v2/buckets/${bucket.id}`, {
      retentionRules: [
        { type: 'expire', everySeconds: seconds, shardGroupDurationSeconds: Math.min(seconds, 86_400) },
      ],
    });
  }

  private async bucket(): Promise<{ id: string }> {
    const qs = new URLSearchParams({ org: this.config.org, name: this.config.bucket });
    const res = (await this.api('GET', `/api/v2/buckets?${qs}`)) as { buckets: { id: string }[] };
    const bucket = res.buckets[0];
    if (!bucket)
      throw new Error(`InfluxDB bucket ${this.config.bucket} does not exist in org ${this.config.org}`);
    return bucket;
  }

  private async api(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(new URL(path, this.config.url), {
      method,
      headers: { Authorization: `Token ${this.config.token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`InfluxDB ${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Ready when the server is up, the token valid and the bucket present. */
  async health(): Promise<void> {
    await this.bucket();
  }

  async close(): Promise<void> {
    await this.batcher.close();
    await this.writeApi.close().catch(() => undefined);
  }
}

/**
 * InfluxDB answers 400 (unparsable line, time out of range) and 422 (field type conflict) for
 * data it will never take, and 413 for a request too large to take at once: those are refusals,
 * which the caller narrows down to the points at fault instead of retrying. Everything else (no
 * answer, 401/403/404 of a misconfigured hub, 429, 5xx) is transient and retried.
 */
function refusal(err: unknown): WriteRefusedError | null {
  if (!(err instanceof HttpError) || ![400, 413, 422].includes(err.statusCode)) return null;
  let message = err.body ?? err.statusMessage ?? '';
  try {
    message = (JSON.parse(message) as { message?: string }).message ?? message;
  } catch {
    // not JSON: keep the body as it is
  }
  return new WriteRefusedError(
    `InfluxDB refused the write (HTTP ${err.statusCode}): ${message.slice(0, 500)}`,
    err.statusCode,
  );
}
