import { z } from 'zod';
import { csv, optionalString, positiveInt } from '../vars.ts';
import type { Parsed } from '../vars.ts';

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export const busVariables = {
  KAFKA_BROKERS: csv.pipe(
    z
      .array(z.string().regex(hostPort, { error: 'expected host:port items, e.g. 127.0.0.1:9092' }))
      .optional(),
  ),
  KAFKA_TOPIC_PREFIX: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{0,100}$/, {
        error: 'expected letters, digits, . _ - (a Kafka topic name prefix)',
      })
      .optional(),
  ),
  KAFKA_CLIENT_ID: optionalString,
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
