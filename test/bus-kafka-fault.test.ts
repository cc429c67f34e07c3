// The broker goes down in the middle of a publish loop and comes back: every acknowledged event
// is consumed exactly once per key, in order. The broker is this file's own (same jars and
// settings as the shared one), so the suites running beside it keep theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bus, Consumer } from '../core/bus/types.ts';
import { reading } from './contracts/bus.contract.ts';
import { startPrivateKafka, type PrivateKafka } from './support/control.ts';
import { quietKafkaBus, testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

// The shared broker answering shows that Kafka is installed here; this file starts its own.
const kafka = await serviceAvailable('kafka');
const KEYS = ['SZ-F1', 'GZ-F2', 'FS-F3', 'SZ-F4'];

describe.runIf(kafka)('Kafka broker outage (a private real broker)', () => {
  let broker: PrivateKafka | undefined;
  let bus: Bus | undefined;
  let consumer: Consumer | undefined;

  beforeAll(async () => {
    broker = await startPrivateKafka();
    bus = quietKafkaBus([broker.broker], 'fault-test', testTopicPrefix('fault'));
  }, 120_000);
  afterAll(async () => {
    // whatever happened, the broker is up again so the clients leave cleanly
    if (broker && !broker.running) await broker.start();
    await consumer?.stop();
    await bus?.close();
    await broker?.destroy();
  }, 120_000);

  it('loses no acknowledged event and duplicates none when the broker restarts mid-loop', async () => {
    const [b, k] = [bus!, broker!];
    await b.start();
    const seen = new Map<string, number[]>(KEYS.map((k) => [k, []]));
    consumer = await b.consume({
      groupId: 'fault-sink',
      topics: ['air.readings.v1'],
      handler: async (batch) => {
        for (const d of batch.deliveries) seen.get(d.key!)?.push(d.event!.data.pm25!);
      },
    });

    const acked = new Map<string, number[]>(KEYS.map((k) => [k, []]));
    let failed = 0;
    let outageDone = false;
    const outage = (async () => {
      await new Promise((r) => setTimeout(r, 1_500));
      await k.stop();
      await new Promise((r) => setTimeout(r, 3_000));
      await k.start();
      outageDone = true;
    })();

    // Sequential publishes, one record per key per step, until well after the broker is back.
    let n = 0;
    let longestStepMs = 0;
    for (let afterOutage = 0; afterOutage < 40; n++) {
      const t0 = Date.now();
      try {
        await b.publish(
          'air.readings.v1',
          KEYS.map((k) => reading(k, n)),
        );
        for (const k of KEYS) acked.get(k)!.push(n);
      } catch {
        failed++; // not acknowledged: allowed to be missing, never allowed to be duplicated
      }
      longestStepMs = Math.max(longestStepMs, Date.now() - t0);
      if (outageDone) afterOutage++;
      await new Promise((r) => setTimeout(r, 20));
    }
    await outage;

    const total = [...acked.values()].reduce((s, a) => s + a.length, 0);
    expect(total).toBeGreaterThan(100);
    // The outage was real: some publish waited for the broker to come back (or failed).
    expect(longestStepMs > 2_000 || failed > 0).toBe(true);
    await waitFor(
      () => KEYS.every((k) => acked.get(k)!.every((v) => seen.get(k)!.includes(v))),
      'every acknowledged event to be consumed',
      90_000,
      200,
    );
    for (const k of KEYS) {
      const got = seen.get(k)!;
      expect(new Set(got).size, `duplicates for ${k}`).toBe(got.length);
      expect(got, `order for ${k}`).toEqual([...got].sort((a, b) => a - b));
      expect(got).toEqual(expect.arrayContaining(acked.get(k)!));
    }
    console.log(
      `fault test: ${n} publish steps, ${total} events acknowledged, ${failed} steps failed, ` +
        `longest publish ${longestStepMs} ms, ` +
        `${[...seen.values()].reduce((s, a) => s + a.length, 0)} consumed`,
    );
  }, 180_000);
});
