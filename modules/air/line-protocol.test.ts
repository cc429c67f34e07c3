import { describe, expect, it } from 'vitest';
import { lineToReading, parseAnyLine, parseLine, toEpochMs } from './line-protocol.ts';

describe('line protocol', () => {
  it('parses tags, typed fields, escapes and the timestamp', () => {
    expect(
      parseLine(
        'air\\ quality,stationId=GZ-0001,site=Guangya\\ School pm25=35.2,no2=40i,ok=t,note="a \\"b\\", c" 1795507200000000000',
      ),
    ).toEqual({
      measurement: 'air quality',
      tags: { stationId: 'GZ-0001', site: 'Guangya School' },
      fields: { pm25: 35.2, no2: 40, ok: true, note: 'a "b", c' },
      timestamp: 1795507200000000000n,
    });
  });

  it('reads plain lines (no escapes, no quotes) as the general scanner does', () => {
    expect(parseLine('air,a=1,b=x=y  p=1,q=-.5e3,r=2u,s=TRUE  7')).toEqual({
      measurement: 'air',
      tags: { a: '1', b: 'x=y' },
      fields: { p: 1, q: -500, r: 2, s: true },
      timestamp: 7n,
    });
    expect(() => parseLine('air pm25=1,,no2=2')).toThrow(/field "": expected key=value/);
    expect(() => parseLine('air pm25=1.2.3')).toThrow(/"1.2.3" is not a valid field value/);
    expect(() => parseLine('air pm25="x y')).toThrow(/unterminated string field value/);
  });

  it('reads every line as the general scanner does, result or error (20,000 generated lines)', () => {
    // parseLine reads plain lines in one pass and hands anything unusual to the general scanner:
    // for any line, both must agree. Lines are built from the characters that matter to the
    // grammar, around realistic ones, with a fixed seed so a failure repeats.
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const pieces = [
      'air',
      ',',
      '=',
      ' ',
      '  ',
      'stationId',
      'GZ-1',
      'pm25',
      '1',
      '-2.5',
      '.5',
      '3e2',
      '1.2.3',
      'x',
      '7i',
      't',
      '',
      '17955072000',
    ];
    const realistic = [
      'air,stationId=GZ-0001 pm25=35.2,pm10=60 1795507200000000000',
      'air pm25=1',
      'air,a=1,b=x=y p=1,q=-.5e3 7',
      'air,stationId=B-1,host=h pm25=20,no2=30i,n=7u,ok=T,off=false 1795507200000000000',
    ];
    const outcome = (parse: (l: string) => unknown, line: string) => {
      try {
        return { ok: parse(line) };
      } catch (err) {
        return { error: (err as Error).message };
      }
    };
    let plainAccepted = 0;
    for (let n = 0; n < 20_000; n++) {
      let line: string;
      if (n % 2 === 0) {
        line = Array.from({ length: 1 + Math.floor(random() * 9) }, () => pick(pieces)).join('');
      } else {
        // a realistic line with one character replaced, inserted or removed
        const base = pick(realistic);
        const at = Math.floor(random() * base.length);
        const c = pick([',', '=', ' ', '', 'a', '9', '.', '-']);
        line = base.slice(0, at) + c + base.slice(at + (random() < 0.5 ? 1 : 0));
      }
      const general = outcome(parseAnyLine, line);
      expect(outcome(parseLine, line), line).toEqual(general);
      if ('ok' in general) plainAccepted++;
    }
    // the comparison covered accepted lines, not only errors
    expect(plainAccepted).toBeGreaterThan(2_000);
  });

  it('ignores fields that are not measurements, whatever their name', () => {
    const line = parseLine('air,stationId=GZ-1 toString=1,constructor=2,__proto__=3,pm25=4');
    expect(lineToReading(line, 'ms', 5)).toEqual({ stationId: 'GZ-1', time: 5, pm25: 4 });
  });

  it('reports what is wrong with a bad line', () => {
    expect(() => parseLine('air pm25=abc')).toThrow(/"abc" is not a valid field value/);
    expect(() => parseLine('air')).toThrow(/expected "measurement/);
    expect(() => parseLine('air pm25=1 12x')).toThrow(/timestamp "12x" is not an integer/);
    expect(() => parseLine('air,stationId pm25=1')).toThrow(/expected key=value/);
  });

  it('converts every precision to milliseconds and maps fields to a reading', () => {
    expect(toEpochMs(1795507200123456789n, 'ns')).toBe(1795507200123);
    expect(toEpochMs(1795507200123456n, 'us')).toBe(1795507200123);
    expect(toEpochMs(1795507200n, 's')).toBe(1795507200000);
    const line = parseLine('air,station=SZ-0001 pm2_5=12,temp=21.5,rh=60,uptime=5i 1795507200');
    expect(lineToReading(line, 's', 0)).toEqual({
      stationId: 'SZ-0001',
      time: 1795507200000,
      pm25: 12,
      temperature: 21.5,
      humidity: 60,
    });
  });
});
