// CloudEvents 1.0 JSON envelope (https://github.com/cloudevents/spec, JSON format). Every record
// on every topic is one of these; `data` is checked against the schema registered for `type`.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

export const cloudEventEnvelope = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(200),
  source: z.string().min(1).max(500),
  type: z.string().regex(/^[a-z0-9]+(\.[a-z0-9_]+)+$/, { error: 'expected a dotted lower-case event type' }),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().min(1).max(200).optional(),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

/** K narrows `type` where it is known (deliveries typed by topic, see core/bus/types.ts). */
export interface CloudEvent<T = unknown, K extends string = string> {
  specversion: '1.0';
  id: string;
  source: string;
  type: K;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: T;
}

export interface NewEvent<T, K extends string = string> {
  type: K;
  source: string;
  subject?: string;
  data: T;
  /** Defaults to now. */
  time?: Date | string;
  /** Defaults to a random UUID; pass a stable id to let consumers de-duplicate retries. */
  id?: string;
}

export function makeEvent<T, K extends string = string>(e: NewEvent<T, K>): CloudEvent<T, K> {
  const time =
    e.time === undefined
      ? new Date().toISOString()
      : typeof e.time === 'string'
        ? e.time
        : e.time.toISOString();
  return {
    specversion: '1.0',
    id: e.id ?? randomUUID(),
    source: e.source,
    type: e.type,
    time,
    ...(e.subject === undefined ? {} : { subject: e.subject }),
    datacontenttype: 'application/json',
    data: e.data,
  };
}
