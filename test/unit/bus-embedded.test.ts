import { describe, expect, it } from 'vitest';
import { createBusMetrics } from '../../core/observability/metrics.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { Registry } from 'prom-client';
import { busContract, reading } from '../contracts/bus.contract.ts';
import { EmbeddedBus } from '../../core/bus/embedded.ts';

const make = (retentionRecords = 10_000) =>
  new EmbeddedBus({ logger: silentLogger(), metrics: createBusMetrics(new Registry()), retentionRecords });

busContract('embedded', () => Promise.resolve(make()));

describe('embedded bus retention', () => {
  it('keeps memory bounded: the oldest records go, offsets keep counting', async () => {
    const bus = make(100);
    for (let i = 0; i < 2_000; i++) await bus.publish('air.readings.v1', [reading('ONE', i % 60)]);
    const offsets = await bus.offsets('air.readings.v1');
    const used = offsets.find((o) => o.high === '2000')!;
    expect(Number(used.high) - Number(used.low)).toBeLessThanOrEqual(100 + 64);
    expect(Number(used.low)).toBeGreaterThan(0);
    await bus.close();
  });
});
