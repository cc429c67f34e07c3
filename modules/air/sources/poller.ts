// One pull source: fetches its URL every interval with a timeout and conditional-request headers
// (ETag / Last-Modified), backs off exponentially with jitter while it fails, drops readings it
// already took (same station, same or older time), and hands the rest to the intake. Refused
// items go to dlq.v1 with the reason.
import type { Logger } from 'pino';
import type { Bus } from '../../../core/bus/index.ts';
import type { AirSource } from '../../../core/config/sections/air.ts';
import { deadLetterRecord, TOPICS } from '../../../core/events/index.ts';
import { backoffDelay, sleep } from '../../../core/retry.ts';
import type { Intake } from '../intake.ts';
import { mapped, openaq, purpleair, sensorCommunity, type RawReading } from './formats.ts';

export interface PollOutcome {
  status: 'new' | 'not-modified' | 'failed';
  accepted: number;
  duplicates: number;
  rejected: number;
}

export class Poller {
  private etag: string | null = null;
  private lastModified: string | null = null;
  /** Newest time taken per station: the de-duplication watermark. */
  private readonly seen = new Map<string, number>();
  private openaqSensors: Map<number, { parameter: string; units: string }> | null = null;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  readonly source: AirSource;
  private readonly intake: Intake;
  private readonly bus: Bus;
  private readonly logger: Logger;

  constructor(source: AirSource, intake: Intake, bus: Bus, logger: Logger) {
    this.source = source;
    this.intake = intake;
    this.bus = bus;
    this.logger = logger;
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const outcome = await this.pollOnce().catch((err: unknown) => {
        this.logger.warn({ source: this.source.name, err: (err as Error).message }, 'air source poll failed');
        return { status: 'failed' } as const;
      });
      failures = outcome.status === 'failed' ? failures + 1 : 0;
      const wait =
        failures > 0
          ? Math.max(backoffDelay(failures - 1, 1_000, 5 * 60_000), 250)
          : this.source.intervalSeconds * 1000;
      await sleep(wait, this.abort.signal);
    }
  }

  private async get(url: string, conditional: boolean): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.source.headers };
    if (conditional && this.etag) headers['If-None-Match'] = this.etag;
    if (conditional && this.lastModified) headers['If-Modified-Since'] = this.lastModified;
    const res = await fetch(url, {
      headers,
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.source.timeoutSeconds * 1000)]),
    });
    if (res.status !== 304 && !res.ok) {
      await res.body?.cancel();
      throw new Error(`GET ${url}: HTTP ${res.status}`);
    }
    return res;
  }

  /** One request; exported for tests and for an immediate first poll. */
  async pollOnce(): Promise<PollOutcome> {
    const res = await this.get(this.source.url, true);
    if (res.status === 304) return { status: 'not-modified', accepted: 0, duplicates: 0, rejected: 0 };
    this.etag = res.headers.get('etag');
    this.lastModified = res.headers.get('last-modified');
    const body: unknown = await res.json();
    const raw = await this.parse(body);
    const fresh: RawReading[] = [];
    let duplicates = 0;
    for (const r of raw) {
      const t = typeof r.time === 'number' ? r.time : Date.parse(r.time);
      const last = this.seen.get(r.stationId);
      if (last !== undefined && t <= last) duplicates++;
      else fresh.push(r);
    }
    const result = await this.intake.submit(
      fresh.map((value, index) => ({ index, value })),
      { origin: `pull:${this.source.name}` },
    );
    for (const r of result.readings) {
      const t = Date.parse(r.time);
      if (t > (this.seen.get(r.stationId) ?? -Infinity)) this.seen.set(r.stationId, t);
    }
    if (result.rejected.length > 0) await this.deadLetter(fresh, result.rejected);
    return {
      status: 'new',
      accepted: result.accepted,
      duplicates,
      rejected: new Set(result.rejected.map((r) => r.index)).size,
    };
  }

  private async parse(body: unknown): Promise<RawReading[]> {
    switch (this.source.format) {
      case 'openaq':
        this.openaqSensors ??= await this.loadOpenaqSensors();
        return openaq(body, this.source, this.openaqSensors);
      case 'sensor.community':
        return sensorCommunity(body, this.source);
      case 'purpleair':
        return purpleair(body, this.source);
      case 'mapping':
        return mapped(body, this.source);
    }
  }

  /** `/v3/locations/{id}/latest` → `/v3/locations/{id}`: which parameter each sensor measures. */
  private async loadOpenaqSensors(): Promise<Map<number, { parameter: string; units: string }>> {
    const url = this.source.url.replace(/\/latest\/?(\?.*)?$/, '');
    const body = (await (await this.get(url, false)).json()) as {
      results?: { sensors?: { id: number; parameter: { name: string; units: string } }[] }[];
    };
    const sensors = new Map<number, { parameter: string; units: string }>();
    for (const loc of body.results ?? [])
      for (const s of loc.sensors ?? [])
        sensors.set(s.id, { parameter: s.parameter.name, units: s.parameter.units });
    return sensors;
  }

  private async deadLetter(
    items: RawReading[],
    rejected: { index: number; field: string; reason: string }[],
  ): Promise<void> {
    const byIndex = new Map<number, { path: string; message: string }[]>();
    for (const r of rejected)
      byIndex.set(r.index, [...(byIndex.get(r.index) ?? []), { path: r.field, message: r.reason }]);
    await this.bus.publish(
      TOPICS.dlq.name,
      [...byIndex].map(([index, issues]) =>
        deadLetterRecord({
          key: this.source.name,
          source: `/citystream/ingest/air/pull/${this.source.name}`,
          letter: {
            origin: `ingest:pull:${this.source.name}`,
            key: String(items[index]?.stationId ?? ''),
            reason: issues.map((i) => `${i.path || 'item'}: ${i.message}`).join('; '),
            issues,
          },
          original: Buffer.from(JSON.stringify(items[index] ?? null)),
        }),
      ),
    );
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }
}
