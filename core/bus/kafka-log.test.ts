// What the Kafka bus logs of kafkajs: its warnings as warnings, except those describing a choice
// the bus makes on purpose (bounded retries on the idempotent producer), which would otherwise
// greet every start with a warning no operator can act on.
import { Writable } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.ts';
import { createBusMetrics } from '../observability/metrics.ts';
import { KafkaBus } from './kafka.ts';

function capture(level: string) {
  const lines: { level: number; msg: string }[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n'))
        if (l) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  return { lines, logger: createLogger(level, {}, out) };
}

const bus = (logger: ReturnType<typeof createLogger>) =>
  new KafkaBus({
    // Never started: the producer's warning is logged when it is created.
    brokers: ['127.0.0.1:9'],
    clientId: 'log-test',
    topicPrefix: 'test.',
    logger,
    metrics: createBusMetrics(new Registry()),
  });

const WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

describe('kafkajs log lines', () => {
  it('logs the bounded-retries notice at debug, not as a warning', async () => {
    const info = capture('info');
    bus(info.logger);
    const debug = capture('debug');
    bus(debug.logger);
    await new Promise((r) => setImmediate(r));
    expect(info.lines.filter((l) => l.msg === WARNING)).toEqual([]);
    expect(debug.lines.filter((l) => l.msg === WARNING).map((l) => l.level)).toEqual([20]);
  });
});
