// A record for dlq.v1: what could not be used, why, and its original bytes, stamped now. Every
// producer of dead letters (the bus's consumers, the MQTT and HTTP intake, the pull sources) builds
// them here.
import { EVENT_TYPES } from './catalog.ts';
import { deadLetterRaw, type DeadLetter } from './dlq.ts';
import { makeEvent } from './envelope.ts';

export function deadLetterRecord(o: {
  key: string;
  source: string;
  subject?: string;
  letter: Omit<DeadLetter, 'raw' | 'rawBytes' | 'receivedAt'>;
  original: Buffer;
}) {
  return {
    key: o.key,
    event: makeEvent({
      type: EVENT_TYPES.deadLetter,
      source: o.source,
      subject: o.subject,
      data: { ...o.letter, ...deadLetterRaw(o.original), receivedAt: new Date().toISOString() },
    }),
  };
}
