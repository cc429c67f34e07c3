// An SSE or long-poll client's position may claim a record only once it has the record's events
// on all of its channels: otherwise a drop between two of them would lose the second on resume.
import { describe, expect, it } from 'vitest';
import { lastOfRecord } from './connection.ts';
import type { Entry } from './history.ts';

const entry = (channels?: string[]): Entry => ({
  tp: 'air.readings.v1/3',
  offset: 7,
  key: 'k',
  frame: Buffer.from('{}'),
  ...(channels ? { channels } : {}),
});

describe('lastOfRecord', () => {
  const record = ['air:station:S1', 'air:city:shenzhen'];
  it('is false while another channel of the client still has to get the record', () => {
    expect(lastOfRecord(entry(record), 'air:station:S1', new Set(record))).toBe(false);
    expect(lastOfRecord(entry(record), 'air:city:shenzhen', new Set(record))).toBe(true);
  });
  it('ignores channels of the record the client is not on', () => {
    expect(lastOfRecord(entry(record), 'air:station:S1', new Set(['air:station:S1']))).toBe(true);
  });
  it('treats an entry without the record channel list as the whole record', () => {
    expect(lastOfRecord(entry(), 'air:station:S1', new Set(record))).toBe(true);
  });
});
