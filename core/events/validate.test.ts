import { describe, expect, it } from 'vitest';
import { encodeRecords, InvalidEventError } from '../bus/records.ts';
import { EVENT_TYPES, TOPICS } from './catalog.ts';
import { makeEvent } from './envelope.ts';
import { validateEvent, validateOwnEvent, vouchedFor } from './validate.ts';

const reading = (pm25: unknown) =>
  makeEvent({
    type: EVENT_TYPES.airReading,
    source: '/test',
    subject: 'GZ-0001',
    time: '2026-11-24T08:00:00.000Z',
    data: { stationId: 'GZ-0001', city: 'guangzhou', time: '2026-11-24T08:00:00.000Z', pm25 },
  });

describe('an event its producer checked', () => {
  it('is known to the bus only as the very event validateEvent returned, for that topic', () => {
    const candidate = reading(35);
    const checked = validateEvent(TOPICS.airReadings, candidate);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(vouchedFor(TOPICS.airReadings, checked.event)).toBe(true);
    expect(vouchedFor(TOPICS.airReadings, candidate)).toBe(false);
    expect(vouchedFor(TOPICS.cameraSnapshots, checked.event)).toBe(false);
    // What a consumer decodes (owned) is never vouched for a producer.
    const owned = validateEvent(TOPICS.airReadings, reading(35), true);
    expect(owned.ok && vouchedFor(TOPICS.airReadings, owned.event)).toBe(false);
  });

  it('is encoded as it is; an event nobody checked is still refused on publish, naming the field', () => {
    const checked = validateEvent(TOPICS.airReadings, reading(35));
    if (!checked.ok) throw new Error('expected a valid reading');
    const [record] = encodeRecords(TOPICS.airReadings.name, [{ key: 'GZ-0001', event: checked.event }]);
    expect(JSON.parse(record!.value!.toString())).toEqual(checked.event);
    expect(() => encodeRecords(TOPICS.airReadings.name, [{ key: 'GZ-0001', event: reading(-1) }])).toThrow(
      InvalidEventError,
    );
    expect(() => encodeRecords(TOPICS.airReadings.name, [{ key: 'GZ-0001', event: reading(-1) }])).toThrow(
      /data\.pm25/,
    );
  });

  it('is checked in place when its producer just made it, and marked the same way', () => {
    const candidate = reading(35);
    const checked = validateOwnEvent(TOPICS.airReadings, candidate);
    expect(checked.ok && checked.event).toBe(candidate);
    expect(vouchedFor(TOPICS.airReadings, candidate)).toBe(true);
    expect(vouchedFor(TOPICS.cameraSnapshots, candidate)).toBe(false);
    expect(JSON.parse(JSON.stringify(candidate))).toEqual({ ...candidate });
    const invalid = reading(-1);
    const refused = validateOwnEvent(TOPICS.airReadings, invalid);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.issues.map((i) => i.path)).toEqual(['data.pm25']);
    expect(vouchedFor(TOPICS.airReadings, invalid)).toBe(false);
  });
});
