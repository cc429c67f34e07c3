import { z } from 'zod';
import { csv, documented, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export const busVariables = {
  KAFKA_BROKERS: documented(
    csv.pipe(
      z
        .array(z.string().regex(hostPort, { error: 'expected host:port items, e.g. 127.0.0.1:9092' }))
        .optional(),
    ),
    { description: 'Kafka bootstrap brokers', type: '`host:port,host:port`', default: 'the embedded bus' },
  ),
  KAFKA_TOPIC_PREFIX: documented(
    optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9._-]{0,100}$/, {
          error: 'expected letters, digits, . _ - (a Kafka topic name prefix)',
        })
        .optional(),
    ),
    {
      description: 'prefix of every topic and consumer group name',
      type: 'up to 100 letters, digits, `.` `_` `-`',
      default: '`citystream.`',
    },
  ),
  KAFKA_CLIENT_ID: documented(optionalString, {
    description: 'Kafka client id',
    default: '`citystream-<instance id>`',
  }),
  CITYSTREAM_BUS_RETENTION_RECORDS: positiveInt(
    100_000,
    'records kept per partition by the embedded bus before the oldest are dropped',
  ),
};

export type BusVariables = Parsed<typeof busVariables>;

export type BusConfig =
  | { kind: 'kafka'; brokers: string[]; topicPrefix: string; clientId: string }
  | { kind: 'embedded'; topicPrefix: string; retentionRecords: number };

export function busSection(v: BusVariables, instanceId: string): BusConfig {
  const topicPrefix = v.KAFKA_TOPIC_PREFIX ?? 'citystream.';
  if (v.KAFKA_BROKERS) {
    return {
      kind: 'kafka',
      brokers: v.KAFKA_BROKERS,
      topicPrefix,
      clientId: v.KAFKA_CLIENT_ID ?? `citystream-${instanceId}`,
    };
  }
  return { kind: 'embedded', topicPrefix, retentionRecords: v.CITYSTREAM_BUS_RETENTION_RECORDS };
}
