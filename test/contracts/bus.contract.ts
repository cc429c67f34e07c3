// The bus contract: one suite, run against the embedded adapter and against a real Kafka broker.
// Every test tags its events with a fresh run id so it reads only its own records.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, makeEvent, type AirReading, type CloudEvent } from '../../core/events/index.ts';
import { waitFor } from '../support/wait.ts';
import { InvalidEventError } from '../../core/bus/records.ts';
import type { Bus, Consumer, ConsumeOptions, Delivery, PublishRecord } from '../../core/bus/types.ts';

const AIR = 'air.readings.v1';

export function reading(stationId: string, n: number): PublishRecord<AirReading> {
  return {
    key: stationId,
    event: makeEvent<AirReading>({
      type: EVENT_TYPES.airReading,
      source: 'test/bus-contract',
      subject: stationId,
      data: {
        stationId,
        time: new Date(Date.UTC(2026, 10, 24, 8, 0, n)).toISOString(),
        pm25: n,
        city: 'guangzhou',
      },
    }),
  };
}

export function busContract(label: string, makeBus: () => Promise<Bus>) {
  describe(`bus contract: ${label}`, () => {
    let bus: Bus;
    const consumers: Consumer[] = [];

    beforeAll(async () => {
      bus = await makeBus();
      await bus.start();
    });
    afterAll(async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await bus?.close();
    });

    const consume = async (opts: Partial<ConsumeOptions> & Pick<ConsumeOptions, 'handler'>) => {
      const c = await bus.consume({ groupId: `g-${randomUUID()}`, topics: [AIR], ...opts });
      consumers.push(c);
      return c;
    };
    const mine = (run: string) => (d: Delivery) =>
      (d.event?.data as AirReading | undefined)?.stationId.startsWith(run);
    /** The numbers (pm25) of this run's readings among `deliveries`, in delivery order. */
    const numbers = (run: string, deliveries: Delivery[]) =>
      deliveries.filter(mine(run)).map((d) => (d.event!.data as AirReading).pm25!);
    /** A new member of `groupId`, and the numbers of this run it is handed. */
    const follow = async (run: string, groupId: string) => {
      const got: number[] = [];
      const member = await consume({
        groupId,
        handler: async (b) => void got.push(...numbers(run, b.deliveries)),
      });
      return { member, got };
    };

    it('delivers keyed events in publish order per key, with partition:offset positions', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const stations = [`${run}-A`, `${run}-B`, `${run}-C`];
      const got: Delivery[] = [];
      await consume({ handler: async (b) => void got.push(...b.deliveries.filter(mine(run))) });
      for (let n = 0; n < 30; n++)
        await bus.publish(
          AIR,
          stations.map((s) => reading(s, n)),
        );
      await waitFor(() => got.length === 90, '90 deliveries');
      for (const s of stations) {
        const mineForKey = got.filter((d) => d.key === s);
        expect(mineForKey.map((d) => (d.event?.data as AirReading).pm25)).toEqual([...Array(30).keys()]);
        expect(new Set(mineForKey.map((d) => d.partition)).size).toBe(1);
        const offsets = mineForKey.map((d) => BigInt(d.offset));
        expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
        for (const d of mineForKey) expect(d.pos).toBe(`${d.partition}:${d.offset}`);
      }
      const first = got[0]!;
      expect(JSON.parse(first.value!.toString()) as CloudEvent).toEqual(first.event);
    });

    it('delivers one publish call of several MiB for a single key, in order (split under the broker limit)', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const station = `${run}-BIG`;
      const got: Delivery[] = [];
      await consume({ handler: async (b) => void got.push(...b.deliveries.filter(mine(run))) });
      // ~3.5 MiB to one partition: one Kafka record batch of that size would be refused (1 MiB)
      const n = 6000;
      const records = [...Array(n).keys()].map((i) => {
        const r = reading(station, i);
        r.event!.data.origin = 'x'.repeat(200);
        return r;
      });
      expect(records.reduce((sum, r) => sum + JSON.stringify(r.event).length, 0)).toBeGreaterThan(
        3 * 2 ** 20,
      );
      await bus.publish(AIR, records);
      await waitFor(() => got.length === n, `${n} deliveries`);
      expect(got.map((d) => (d.event?.data as AirReading).pm25)).toEqual([...Array(n).keys()]);
    });

    it('refuses an invalid event on publish, naming the field, and publishes nothing of that call', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const before = await bus.offsets(AIR);
      const bad = reading(`${run}-X`, 1);
      (bad.event!.data as Record<string, unknown>).pm25 = 'high';
      const err = await bus.publish(AIR, [reading(`${run}-X`, 0), bad]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as InvalidEventError).message).toMatch(/record 1 .*data\.pm25/);
      expect(await bus.offsets(AIR)).toEqual(before);
      await expect(bus.publish(AIR, [{ key: 'k', event: null }])).rejects.toThrow(/tombstones/);
      await expect(bus.publish('no.such.topic', [reading('x', 1)])).rejects.toThrow(/unknown topic/);
    });

    it('sends an invalid stored record to dlq.v1 with the reason and raw bytes, then carries on', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-D`;
      const got: Delivery[] = [];
      const letters: Delivery[] = [];
      const reader = await consume({
        handler: async (b) => void got.push(...b.deliveries.filter(mine(run))),
      });
      // Every group that meets a bad record reports it; keep this reader's reports.
      const ours = (d: Delivery) =>
        d.key === key && (d.event?.data as { origin: string }).origin === `consumer:${reader.groupId}`;
      await consume({
        topics: ['dlq.v1'],
        handler: async (b) => void letters.push(...b.deliveries.filter(ours)),
      });
      const garbage = Buffer.from([0x7b, 0x22, 0xff, 0x00]);
      const wrongType = JSON.stringify({ ...reading(key, 1).event, type: 'city.camera.status.v1' });
      await bus.publish(AIR, [reading(key, 0)]);
      await bus.publishRaw(AIR, [
        { key, value: garbage },
        { key, value: Buffer.from(wrongType) },
      ]);
      await bus.publish(AIR, [reading(key, 2)]);
      await waitFor(
        () => got.length === 2 && letters.length === 2,
        'two valid deliveries and two dead letters',
      );
      expect(got.map((d) => (d.event?.data as AirReading).pm25)).toEqual([0, 2]);
      const [notJson, misplaced] = letters.map((l) => l.event!.data as Record<string, unknown>);
      expect(notJson).toMatchObject({
        topic: AIR,
        key,
        reason: expect.stringMatching(/not JSON/) as unknown,
      });
      expect(Buffer.from(notJson!.raw as string, 'base64')).toEqual(garbage);
      expect(misplaced!.reason).toMatch(/city\.camera\.status\.v1 does not belong on air\.readings\.v1/);
      expect(letters[0]!.event!.type).toBe(EVENT_TYPES.deadLetter);
    });

    it('retries a failing handler with the same events and commits only after it succeeds', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-R`;
      const groupId = `g-${run}`;
      let failures = 0;
      const seen: number[] = [];
      const first = await consume({
        groupId,
        handler: async (b) => {
          const values = numbers(run, b.deliveries);
          if (values.length && failures < 2) {
            failures++;
            throw new Error('sink unavailable');
          }
          seen.push(...values);
        },
      });
      await bus.publish(
        AIR,
        [0, 1, 2].map((n) => reading(key, n)),
      );
      await waitFor(() => seen.length === 3, 'three events after two failures', 20_000);
      expect(seen).toEqual([0, 1, 2]);
      expect(failures).toBe(2);
      await first.stop();
      // A new member of the same group starts after what was committed: nothing handled twice.
      const { got: again } = await follow(run, groupId);
      await bus.publish(AIR, [reading(key, 3)]);
      await waitFor(() => again.length >= 1, 'the next event in the resumed group', 30_000);
      expect(again).toEqual([3]);
    });

    it('dead-letters a delivery its handler refuses, with the reason, and commits past it', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-P`;
      const groupId = `g-${run}`;
      const handled: number[] = [];
      const letters: Delivery[] = [];
      let attempts = 0;
      // Refuses pm25 = 1 (a poison reading), fails the first attempt transiently: the refusal of the
      // failed attempt must not count twice, and the valid ones around the poison are handled.
      const first = await consume({
        groupId,
        handler: async (b) => {
          const ours = b.deliveries.filter(mine(run));
          if (ours.length === 0) return;
          if (attempts++ === 0) {
            for (const d of ours) b.refuse(d, 'this attempt fails anyway');
            throw new Error('store unavailable');
          }
          for (const d of ours) {
            const pm25 = (d.event!.data as AirReading).pm25!;
            if (pm25 === 1) b.refuse(d, 'pm25 1 cannot be stored');
            else handled.push(pm25);
          }
        },
      });
      await consume({
        topics: ['dlq.v1'],
        handler: async (b) =>
          void letters.push(
            ...b.deliveries.filter(
              (d) => d.key === key && (d.event?.data as { origin: string }).origin === `consumer:${groupId}`,
            ),
          ),
      });
      await bus.publish(
        AIR,
        [0, 1, 2].map((n) => reading(key, n)),
      );
      await waitFor(
        () => handled.length === 2 && letters.length === 1,
        'two handled, one dead letter',
        20_000,
      );
      expect(handled).toEqual([0, 2]);
      const letter = letters[0]!.event!.data as Record<string, unknown>;
      expect(letter).toMatchObject({
        topic: AIR,
        key,
        reason: `refused by ${groupId}: pm25 1 cannot be stored`,
      });
      const raw = JSON.parse(
        Buffer.from(letter.raw as string, 'base64').toString(),
      ) as CloudEvent<AirReading>;
      expect(raw.data.pm25).toBe(1);
      // Committed past the poison: the group resumes after it, with nothing handled twice.
      await first.stop();
      const { got: again } = await follow(run, groupId);
      await bus.publish(AIR, [reading(key, 3)]);
      await waitFor(() => again.length >= 1, 'the next event in the resumed group', 30_000);
      expect(again).toEqual([3]);
      await new Promise((r) => setTimeout(r, 500));
      expect(letters).toHaveLength(1);
    });

    it('finishes the batch in hand when stopped, commits it, and the group resumes after it', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-S`;
      const groupId = `g-${run}`;
      const handled: number[] = [];
      let entered!: () => void;
      const inHandler = new Promise<void>((resolve) => (entered = resolve));
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const first = await consume({
        groupId,
        handler: async (b) => {
          const ours = numbers(run, b.deliveries);
          if (ours.length === 0) return;
          entered();
          await gate;
          handled.push(...ours);
        },
      });
      await bus.publish(
        AIR,
        [0, 1, 2].map((n) => reading(key, n)),
      );
      await inHandler;
      // A rolling restart: the member is told to stop while its handler is still working.
      const stopping = first.stop();
      await new Promise((r) => setTimeout(r, 300));
      release();
      await stopping;
      expect(handled).toEqual([0, 1, 2]);
      const { got: again } = await follow(run, groupId);
      await bus.publish(AIR, [reading(key, 3)]);
      await waitFor(() => again.length >= 1, 'the next event in the resumed group', 30_000);
      expect(again).toEqual([3]);
    });

    it('stops every consumer at once: a slow batch holds only its own group, and each commits what it handled', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-T`;
      /** A group whose handler waits at a gate with its batch in hand until opened. */
      const gated = (name: string) => {
        const handled: number[] = [];
        let signalEntered!: () => void;
        let open!: () => void;
        const gate = new Promise<void>((resolve) => (open = resolve));
        return {
          groupId: `g-${run}-${name}`,
          handled,
          entered: new Promise<void>((resolve) => (signalEntered = resolve)),
          open: () => open(),
          handler: async (b: { deliveries: Delivery[] }) => {
            const ours = numbers(run, b.deliveries);
            if (ours.length === 0) return;
            signalEntered();
            await gate;
            handled.push(...ours);
          },
        };
      };
      const slow = gated('slow');
      const quick = gated('quick');
      // The slow group first: stopped one after another, it would hold the quick one's stop.
      const slowConsumer = await consume({ groupId: slow.groupId, handler: slow.handler });
      const quickConsumer = await consume({ groupId: quick.groupId, handler: quick.handler });
      await bus.publish(
        AIR,
        [0, 1, 2].map((n) => reading(key, n)),
      );
      await Promise.all([slow.entered, quick.entered]);
      const stopping = bus.stopConsumers();
      quick.open();
      // The quick group's member has left while the slow one still works: a new member owns every
      // partition (stopped one after another, the quick member would still hold its share).
      const total = (await bus.offsets(AIR)).length;
      const { member: successor, got: quickAgain } = await follow(run, quick.groupId);
      await waitFor(
        () => successor.assignment().length === total,
        'the quick group to be left while the slow batch is in hand',
        20_000,
      ).finally(() => slow.open()); // a failure must not leave the slow member stuck for afterAll
      expect(quick.handled).toEqual([0, 1, 2]);
      await stopping;
      await Promise.all([slowConsumer.stop(), quickConsumer.stop()]);
      expect(slow.handled).toEqual([0, 1, 2]);
      // Publishing still works, and each group resumes after what it handled.
      await bus.publish(AIR, [reading(key, 3)]);
      const { got: slowAgain } = await follow(run, slow.groupId);
      await waitFor(
        () => quickAgain.length >= 1 && slowAgain.length >= 1,
        'the next event in both groups',
        30_000,
      );
      expect(quickAgain).toEqual([3]);
      expect(slowAgain).toEqual([3]);
    });

    it('shares partitions within a group and hands them over when a member leaves', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const groupId = `g-${run}`;
      const a = await consume({ groupId, handler: async () => {} });
      const b = await consume({ groupId, handler: async () => {} });
      const total = (await bus.offsets(AIR)).length;
      await waitFor(
        () =>
          a.assignment().length > 0 &&
          b.assignment().length > 0 &&
          a.assignment().length + b.assignment().length === total,
        'both members to own partitions',
        30_000,
      );
      const owned = [...a.assignment(), ...b.assignment()].map((tp) => tp.partition).sort((x, y) => x - y);
      expect(owned).toEqual([...Array(total).keys()]);
      await b.stop();
      await waitFor(
        () => a.assignment().length === total,
        'the remaining member to own every partition',
        30_000,
      );
    });

    it('gives every broadcast consumer every event, and honours start=latest', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      await bus.publish(AIR, [reading(`${run}-old`, 0)]);
      const x: Delivery[] = [];
      const y: Delivery[] = [];
      const late: Delivery[] = [];
      await consume({
        mode: 'broadcast',
        groupId: 'gw',
        handler: async (bt) => void x.push(...bt.deliveries.filter(mine(run))),
      });
      await consume({
        mode: 'broadcast',
        groupId: 'gw',
        handler: async (bt) => void y.push(...bt.deliveries.filter(mine(run))),
      });
      const latest = await consume({
        mode: 'broadcast',
        groupId: 'gw',
        start: 'latest',
        handler: async (bt) => void late.push(...bt.deliveries.filter(mine(run))),
      });
      await waitFor(
        () => x.length === 1 && y.length === 1 && latest.assignment().length > 0,
        'the old event on both',
      );
      // Kafka resolves "latest" on the first fetch; give it a moment before publishing.
      await new Promise((r) => setTimeout(r, 1_500));
      await bus.publish(
        AIR,
        ['a', 'b', 'c', 'd'].map((s, n) => reading(`${run}-${s}`, n)),
      );
      await waitFor(
        () => x.length === 5 && y.length === 5 && late.length === 4,
        'every new event on every consumer',
      );
      expect(late.map((d) => d.key).sort()).toEqual(['a', 'b', 'c', 'd'].map((s) => `${run}-${s}`));
    });

    it('seeks a partition back and re-delivers from that position', async () => {
      const run = `r${randomUUID().slice(0, 8)}`;
      const key = `${run}-S`;
      const got: Delivery[] = [];
      const c = await consume({ handler: async (b) => void got.push(...b.deliveries.filter(mine(run))) });
      await bus.publish(
        AIR,
        [0, 1, 2, 3].map((n) => reading(key, n)),
      );
      await waitFor(() => got.length === 4, 'four events');
      const second = got[1]!;
      c.seek(AIR, second.partition, second.offset);
      await waitFor(() => got.length === 7, 'events 1-3 again after the seek');
      expect(got.slice(4).map((d) => d.pos)).toEqual(got.slice(1, 4).map((d) => d.pos));
    });

    it('delivers tombstones on compacted topics as events without a body', async () => {
      const id = `cam-${randomUUID().slice(0, 8)}`;
      const got: Delivery[] = [];
      await consume({
        topics: ['camera.registry.v1'],
        handler: async (b) => void got.push(...b.deliveries.filter((d) => d.key === id)),
      });
      await bus.publish('camera.registry.v1', [
        {
          key: id,
          event: makeEvent({
            type: EVENT_TYPES.cameraConfig,
            source: 'test',
            data: {
              id,
              name: 'Test',
              city: 'shenzhen',
              lat: 22.5,
              lon: 114,
              url: 'rtsp://x/y',
              protocol: 'rtsp',
              snapshotIntervalSeconds: 2,
            },
          }),
        },
        { key: id, event: null },
      ]);
      await waitFor(() => got.length === 2, 'config then tombstone');
      expect(got[0]!.event?.type).toBe(EVENT_TYPES.cameraConfig);
      expect(got[1]!.event).toBeNull();
    });

    it('delivers what the schema outputs: a field left to its default arrives filled in', async () => {
      const id = `cam-${randomUUID().slice(0, 8)}`;
      const got: Delivery[] = [];
      await consume({
        topics: ['camera.registry.v1'],
        handler: async (b) => void got.push(...b.deliveries.filter((d) => d.key === id)),
      });
      const data = { id, name: 'Test', city: 'shenzhen', lat: 22.5, lon: 114, url: 'rtsp://x/y' } as const;
      await bus.publish('camera.registry.v1', [
        {
          key: id,
          event: makeEvent({
            type: EVENT_TYPES.cameraConfig,
            source: 'test',
            data: { ...data, protocol: 'rtsp' },
          }),
        },
      ]);
      await waitFor(() => got.length === 1, 'the config');
      expect(got[0]!.event?.data).toMatchObject({ enabled: true, snapshotIntervalSeconds: 2 });
    });
  });
}
