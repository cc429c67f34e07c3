// Fanout to a crowded channel: written in chunks of CITYSTREAM_WS_FANOUT_CHUNK subscribers with
// the event loop free in between, yet every subscriber gets every event once and in order, and a
// subscriber that rejoins with a cursor mid-fanout is not sent the entry its replay already had.
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedBus } from '../../core/bus/embedded.ts';
import { loadConfig } from '../../core/config/index.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { createBusMetrics } from '../../core/observability/metrics.ts';
import { reading } from '../support/stream.ts';
import { parseChannel, type Channel } from '../../stream/channels.ts';
import { Fanout, type Subscriber } from '../../stream/fanout.ts';
import type { Entry } from '../../stream/history.ts';
import { createStreamMetrics } from '../../stream/metrics.ts';

const CHUNK = 50;

class Recorder implements Subscriber {
  readonly got: string[] = [];
  deliver(_channel: string, entry: Entry): void {
    this.got.push(`${entry.tp}@${entry.offset}`);
  }
}

function channel(name: string): Channel {
  const parsed = parseChannel(name);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.channel;
}

describe('fanout to many subscribers', () => {
  let bus: EmbeddedBus | null = null;
  let fanout: Fanout | null = null;
  afterEach(async () => {
    await fanout?.stop();
    await bus?.close();
  });

  it('yields between chunks and still delivers every event once, in order, to everyone', async () => {
    bus = new EmbeddedBus({
      logger: silentLogger(),
      metrics: createBusMetrics(new Registry()),
      retentionRecords: 10_000,
    });
    await bus.start();
    const config = loadConfig({ CITYSTREAM_WS_FANOUT_CHUNK: String(CHUNK) }).stream;
    fanout = new Fanout(bus, config, silentLogger(), createStreamMetrics(new Registry()));
    await fanout.start();
    await fanout.ready();

    const ch = channel('air:station:SZ-CHUNK');
    const subs = Array.from({ length: CHUNK * 4 + 7 }, () => new Recorder());
    for (const s of subs) fanout.subscribe(s, ch, null);

    // A timer fires between chunks: the loop is not held for the whole fanout.
    const progressAtTimer: number[] = [];
    const ticker = setInterval(() => progressAtTimer.push(subs.filter((s) => s.got.length === 1).length), 0);
    const events = Array.from({ length: 5 }, (_, i) => reading('SZ-CHUNK', 'shenzhen', i));
    await bus.publish(
      'air.readings.v1',
      events.map((event) => ({ key: 'SZ-CHUNK', event })),
    );
    const deadline = Date.now() + 10_000;
    while (subs.some((s) => s.got.length < events.length) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    clearInterval(ticker);

    const expected = subs[0]!.got;
    expect(expected).toHaveLength(events.length);
    for (const s of subs) expect(s.got).toEqual(expected);
    // Some timer ran while the first event had reached part of the subscribers only.
    expect(progressAtTimer.some((n) => n > 0 && n < subs.length)).toBe(true);
  });

  it('gives a subscriber that rejoins mid-fanout the in-flight record once, from history', async () => {
    bus = new EmbeddedBus({
      logger: silentLogger(),
      metrics: createBusMetrics(new Registry()),
      retentionRecords: 10_000,
    });
    await bus.start();
    const config = loadConfig({ CITYSTREAM_WS_FANOUT_CHUNK: String(CHUNK) }).stream;
    fanout = new Fanout(bus, config, silentLogger(), createStreamMetrics(new Registry()));
    await fanout.start();
    await fanout.ready();

    const ch = channel('air:station:SZ-REJOIN');
    const subs = Array.from({ length: CHUNK * 3 }, () => new Recorder());
    const cursors = subs.map((s) => fanout!.subscribe(s, ch, null).cursor);
    const last = subs.at(-1)!;
    const fresh = new Recorder();
    let freshCursor: Map<string, number> | null = null;
    // After the first chunk is written: the last subscriber leaves and comes back with the
    // cursor it had (as a reconnecting client does), and a new one subscribes without a cursor.
    const rejoined = new Promise<void>((resolve) =>
      setImmediate(() => {
        fanout!.unsubscribe(last, ch.name);
        const r = fanout!.subscribe(last, ch, cursors.at(-1)!);
        for (const e of r.replay) last.got.push(`${e.tp}@${e.offset}`);
        freshCursor = fanout!.subscribe(fresh, ch, null).cursor;
        resolve();
      }),
    );
    await bus.publish('air.readings.v1', [{ key: 'SZ-REJOIN', event: reading('SZ-REJOIN', 'shenzhen', 1) }]);
    await rejoined;
    const deadline = Date.now() + 10_000;
    while (subs.some((s) => s.got.length < 1) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));

    const [record] = subs[0]!.got;
    expect(record).toBeDefined();
    expect(last.got).toEqual([record]); // from its replay, not a second time from the fanout
    // The newcomer did not get it, and its cursor says it is past it (no silent gap).
    expect(fresh.got).toEqual([]);
    const [tp, offset] = record!.split('@');
    expect(freshCursor!.get(tp!)).toBe(Number(offset));
  });
});
