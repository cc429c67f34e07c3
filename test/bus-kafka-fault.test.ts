// The broker goes down in the middle of a publish loop and comes back: every acknowledged event
// is consumed exactly once per key, in order.
import { afterAll, describe, expect, it } from 'vitest';
import type { Consumer } from '../core/bus/types.ts';
import { reading } from './contracts/bus.contract.ts';
import { startService, stopService } from './support/control.ts';
import { deleteTestTopics, quietKafkaBus, testTopicPrefix } from './support/kafka.ts';
import { serviceAvailable } from './support/services.ts';
import { waitFor } from './support/wait.ts';

const kafka = await serviceAvailable('kafka');
const KEYS = ['SZ-F1', 'GZ-F2', 'FS-F3', 'SZ-F4'];

describe.runIf(kafka)(`Kafka broker outage (real broker at ${kafka?.value})`, () => {
  if (!kafka) return;
  const prefix = testTopicPrefix('fault');
  const make = () => quietKafkaBus([kafka.value!], 'fault-test', prefix);
  const bus = make();
  let consumer: Consumer | undefined;

  afterAll(async () => {
    await startService('kafka'); // whatever happened, leave the broker running for the next suite
    await consumer?.stop();
    await bus.close();
    await deleteTestTopics([kafka.value!], prefix);
  });

  it('loses no acknowledged event and duplicates none when the broker restarts mid-loop', async () => {
    await bus.start();
    const seen = new Map<string, number[]>(KEYS.map((k) => [k, []]));
    consumer = await bus.consume({
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
      await stopService('kafka');
      await new Promise((r) => setTimeout(r, 3_000));
      await startService('kafka');
      outageDone = true;
    })();

    // Sequential publishes, one record per key per step, until well after the broker is back.
    let n = 0;
    let longestStepMs = 0;
    for (let afterOutage = 0; afterOutage < 40; n++) {
      const t0 = Date.now();
      try {
        await bus.publish(
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
