// What both adapters do the same way around the broker: validate on produce, decode on consume,
// and turn an unusable record into a dead letter.
import { TOPICS, topicSpec, type TopicSpec } from '../events/catalog.ts';
import type { CloudEvent, makeEvent } from '../events/envelope.ts';
import { decodeEvent, validateEvent, vouchedFor, type ValidationIssue } from '../events/validate.ts';
import type { DeadLetter } from '../events/dlq.ts';
import { deadLetterRecord } from '../events/dead-letter.ts';
import type { ConsumeOptions, Delivery, PublishRecord, RawRecord } from './types.ts';

export class UnknownTopicError extends Error {
  constructor(topic: string) {
    super(`unknown topic ${topic}: not in the topic catalogue`);
    this.name = 'UnknownTopicError';
  }
}

export class InvalidEventError extends Error {
  readonly topic: string;
  readonly index: number;
  readonly reason: string;
  readonly issues: ValidationIssue[];

  constructor(topic: string, index: number, reason: string, issues: ValidationIssue[]) {
    super(
      `record ${index} for ${topic}: ${reason}${issues.length ? ': ' + issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ') : ''}`,
    );
    this.topic = topic;
    this.index = index;
    this.reason = reason;
    this.issues = issues;
    this.name = 'InvalidEventError';
  }
}

export function specFor(topic: string): TopicSpec {
  const spec = topicSpec(topic);
  if (!spec) throw new UnknownTopicError(topic);
  return spec;
}

/** A record ready to send, with the validated event (schema output) it encodes. */
export type EncodedRecord = RawRecord & { event: CloudEvent | null };

/** Validates a publish call and encodes each record once. Throws before anything is sent. */
export function encodeRecords(topic: string, records: PublishRecord[]): EncodedRecord[] {
  const spec = specFor(topic);
  return records.map((r, index) => {
    if (r.event === null) {
      if (spec.cleanupPolicy !== 'compact') {
        throw new InvalidEventError(topic, index, 'tombstones are only allowed on compacted topics', []);
      }
      return { key: r.key, value: null, headers: r.headers, event: null };
    }
    const checked = vouchedFor(spec, r.event)
      ? ({ ok: true, event: r.event } as const)
      : validateEvent(spec, r.event);
    if (!checked.ok) throw new InvalidEventError(topic, index, checked.reason, checked.issues);
    return {
      key: r.key,
      value: Buffer.from(JSON.stringify(checked.event)),
      headers: r.headers,
      event: checked.event,
    };
  });
}

export type Decoded =
  | { ok: true; event: ReturnType<typeof makeEvent> | null }
  | { ok: false; reason: string; issues: ValidationIssue[] };

export function decodeRecord(spec: TopicSpec, value: Buffer | null): Decoded {
  if (value === null && spec.cleanupPolicy === 'compact') return { ok: true, event: null };
  const r = decodeEvent(spec, value);
  return r.ok ? { ok: true, event: r.event } : r;
}

export interface Unusable {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  reason: string;
  issues: ValidationIssue[];
}

/** The dead-letter record for something a consumer could not use; keyed by its source id. */
export function deadLetterFor(u: Unusable, consumerGroup: string): PublishRecord<DeadLetter> {
  return deadLetterRecord({
    key: u.key ?? `${u.topic}:${u.partition}`,
    source: `citystream/bus/${consumerGroup}`,
    subject: `${u.topic}/${u.partition}/${u.offset}`,
    letter: {
      origin: `consumer:${consumerGroup}`,
      topic: u.topic,
      partition: u.partition,
      offset: u.offset,
      key: u.key,
      reason: u.reason,
      issues: u.issues,
    },
    original: u.value ?? Buffer.alloc(0),
  });
}

/** The dead letter for a valid record its handler refused (see Batch.refuse). */
export function refusedDeadLetter(
  d: Delivery,
  reason: string,
  consumerGroup: string,
): PublishRecord<DeadLetter> {
  return deadLetterFor(
    {
      topic: d.topic,
      partition: d.partition,
      offset: d.offset,
      key: d.key,
      value: d.value ?? (d.event ? Buffer.from(JSON.stringify(d.event)) : null),
      reason: `refused by ${consumerGroup}: ${reason}`.slice(0, 2_000),
      issues: [],
    },
    consumerGroup,
  );
}

export const DLQ_TOPIC = TOPICS.dlq.name;

export const deadLettersWanted = (o: ConsumeOptions): boolean => o.deadLetters ?? o.mode !== 'broadcast';
