import { describe, expect, it } from 'vitest';
import { cityAt, sniffImage, TRANSITIONS } from './model.ts';

describe('incident model', () => {
  it('places pins in the nearest served city and refuses pins far away', () => {
    expect(cityAt(22.54, 114.06)).toBe('shenzhen');
    expect(cityAt(23.13, 113.27)).toBe('guangzhou');
    expect(cityAt(23.02, 113.11)).toBe('foshan');
    expect(cityAt(39.9, 116.4)).toBeNull();
  });
  it('knows images by their bytes, not their names', () => {
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('image/jpeg');
    expect(sniffImage(Buffer.from('GIF89a......'))).toBeNull();
    expect(sniffImage(Buffer.from('<svg onload=alert(1)>'))).toBeNull();
  });
  it('closes resolved and rejected incidents for good', () => {
    expect(TRANSITIONS.resolved).toEqual([]);
    expect(TRANSITIONS.submitted).not.toContain('resolved');
  });
});
