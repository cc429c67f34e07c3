import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  encodeProduceBody,
  leanProduceRequest,
  PRODUCE_V3_REQUEST_MODULE,
  useLeanProduceEncoder,
  type ProduceArgs,
} from './kafkajs-produce-encoder.ts';

const require = createRequire(import.meta.url);
type Factory = (args: ProduceArgs) => { encode(): Promise<{ buffer: Buffer }>; apiVersion: number };
const Long = require('kafkajs/src/utils/long.js') as { fromValue(v: unknown): unknown };

/** kafkajs's own v3 request module, loaded apart from the cached (possibly replaced) one. */
function kafkajsOriginal(): Factory {
  const path = require.resolve(PRODUCE_V3_REQUEST_MODULE);
  const cached = require.cache[path];
  delete require.cache[path];
  try {
    return require(path) as Factory;
  } finally {
    if (cached) require.cache[path] = cached;
  }
}
const original = kafkajsOriginal();

async function kafkajsBytes(args: ProduceArgs): Promise<Buffer> {
  return Buffer.from((await original(args).encode()).buffer);
}

const NOW = 1_764_000_000_123;
afterEach(() => vi.restoreAllMocks());

function message(i: number) {
  return {
    key: i % 7 === 0 ? null : i % 3 === 0 ? Buffer.from(`station-${i}`) : `站点-${i}`,
    value:
      i % 11 === 0
        ? null
        : i % 5 === 0
          ? `{"pm25":${i},"city":"深圳"}`
          : Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(i % 300) })),
    headers:
      i % 4 === 0
        ? { 'content-type': 'application/json', trace: [`t-${i}`, Buffer.from([0, 1, 2])] }
        : undefined,
  };
}

const cases: [string, ProduceArgs][] = [
  [
    'idempotent producer, two topics, several partitions, mixed keys, values and headers',
    {
      acks: -1,
      timeout: 30_000,
      producerId: Long.fromValue(4_000_000_000),
      producerEpoch: 3,
      topicData: [
        {
          topic: 'test.air.readings.v1',
          partitions: [
            {
              partition: 0,
              firstSequence: 17,
              messages: Array.from({ length: 1_000 }, (_, i) => message(i)),
            },
            { partition: 5, firstSequence: 2_147_483_000, messages: [message(1), message(4)] },
          ],
        },
        {
          topic: 'test.dlq.v1',
          partitions: [{ partition: 2, messages: [{ key: 'k', value: Buffer.alloc(70_000, 7) }] }],
        },
      ],
    },
  ],
  [
    'plain producer defaults, transactional id, empty partition and one record with every header form',
    {
      acks: 1,
      timeout: 5_000,
      transactionalId: 'tx-城市',
      topicData: [
        {
          topic: 't',
          partitions: [
            { partition: 1, messages: [] },
            {
              partition: 3,
              messages: [{ key: '', value: '', headers: { a: '', b: Buffer.alloc(0), c: ['1', '2', '3'] } }],
            },
          ],
        },
      ],
    },
  ],
];

describe('the lean produce encoder', () => {
  it.each(cases)('writes the bytes kafkajs writes: %s', async (_name, args) => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const expected = await kafkajsBytes(args);
    expect(encodeProduceBody(args).equals(expected)).toBe(true);
    const lean = leanProduceRequest(original as never)(args);
    expect(Buffer.from((await lean.encode()).buf).equals(expected)).toBe(true);
  });

  it('leaves compressed batches and caller-set timestamps to kafkajs', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const compressed: ProduceArgs = {
      acks: -1,
      timeout: 1_000,
      compression: 1,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b' }] }] }],
    };
    const stamped: ProduceArgs = {
      acks: -1,
      timeout: 1_000,
      topicData: [
        {
          topic: 't',
          partitions: [{ partition: 0, messages: [{ key: 'a', value: 'b', timestamp: '1000' }] }],
        },
      ],
    };
    for (const args of [compressed, stamped]) {
      const kept = original(args);
      const lean = leanProduceRequest(() => kept as never)(args);
      expect(lean).toBe(kept);
    }
  });

  it('is what kafkajs uses for every produce version it sends, once installed', async () => {
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    // A wrapper version loaded before the install must not keep the original.
    require('kafkajs/src/protocol/requests/produce/v7/request.js');
    expect(useLeanProduceEncoder()).toBe(true);
    const args = cases[0]![1];
    const expected = await kafkajsBytes(args);
    const { protocol } = require('kafkajs/src/protocol/requests/produce/index.js') as {
      protocol: (v: { version: number }) => (a: ProduceArgs) => {
        request: { encode: () => Promise<{ buf: Buffer; offset: number }>; apiVersion: number };
      };
    };
    for (const version of [3, 4, 5, 6, 7]) {
      const { request } = protocol({ version })(args);
      expect(request.apiVersion).toBe(version);
      expect(String(request.encode)).toContain('encodeProduceBody');
      const e = await request.encode();
      expect(e.buf.subarray(0, e.offset).equals(expected)).toBe(true);
    }
  });
});
