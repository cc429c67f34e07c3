// InfluxDB line protocol (https://docs.influxdata.com/influxdb/v2/reference/syntax/line-protocol/):
//   measurement[,tag=value...] field=value[,field=value...] [timestamp]
// with backslash escapes for commas, spaces and equals signs, double-quoted string fields,
// integer (`i`), unsigned (`u`), float and boolean values. Parsed line by line so one bad line is
// reported with its number and the others still count.

export type FieldValue = number | string | boolean;

export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** In the request's precision; undefined when the line has none. */
  timestamp?: bigint;
}

export class LineProtocolError extends Error {
  constructor(message: string) {
    // Thrown for every bad line of a hostile body: a stack trace would cost more than the parse.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/** Splits on `sep` outside escapes (and outside double quotes when `quotes`); keeps escapes. */
function split(s: string, sep: string, quotes: boolean, limit = Infinity): string[] {
  // Most lines have neither escapes nor quotes: the native scan gives the same parts.
  if (!s.includes('\\') && !(quotes && s.includes('"'))) {
    if (limit === Infinity) return s.split(sep);
    const out: string[] = [];
    let from = 0;
    for (let at = s.indexOf(sep); at !== -1 && out.length < limit - 1; at = s.indexOf(sep, from)) {
      out.push(s.slice(from, at));
      from = at + sep.length;
    }
    out.push(s.slice(from));
    return out;
  }
  const out: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[++i];
      continue;
    }
    if (quotes && c === '"') inQuote = !inQuote;
    if (c === sep && !inQuote && out.length < limit - 1) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (inQuote) throw new LineProtocolError('unterminated string field value');
  out.push(cur);
  return out;
}

const unescape = (s: string) => (s.includes('\\') ? s.replace(/\\([,= "\\])/g, '$1') : s);

const FLOAT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const TRUE = /^(t|T|true|True|TRUE)$/;
const FALSE = /^(f|F|false|False|FALSE)$/;
const INTEGER = /^-?\d+i$|^\d+u$/;

/** An unquoted field value (float, boolean, integer with i or u), or undefined when it is none. */
function unquotedValue(raw: string): FieldValue | undefined {
  // Floats first, the common case: none of the other forms can match this pattern.
  if (FLOAT.test(raw)) return Number(raw);
  if (TRUE.test(raw)) return true;
  if (FALSE.test(raw)) return false;
  if (INTEGER.test(raw)) return Number(raw.slice(0, -1));
  return undefined;
}

function parseValue(raw: string, key: string): FieldValue {
  if (raw.startsWith('"')) {
    if (!raw.endsWith('"') || raw.length < 2)
      throw new LineProtocolError(`field ${key}: unterminated string`);
    return raw.slice(1, -1).replace(/\\(["\\])/g, '$1');
  }
  const value = unquotedValue(raw);
  if (value === undefined)
    throw new LineProtocolError(`field ${key}: ${JSON.stringify(raw)} is not a valid field value`);
  return value;
}

export function parseLine(line: string): ParsedLine {
  // Most lines have neither escapes nor quotes and single spaces: one scan reads them.
  if (!line.includes('\\') && !line.includes('"')) {
    const plain = parsePlainLine(line);
    if (plain) return plain;
  }
  return parseAnyLine(line);
}

/**
 * A line without escapes or quotes, read in one pass of indexOf: the same result as
 * parseAnyLine, or null when anything is unusual (an empty part, a doubled separator, a bad
 * value) and the general scanner should read it and word the error.
 */
function parsePlainLine(line: string): ParsedLine | null {
  const fieldsAt = line.indexOf(' ') + 1;
  if (fieldsAt <= 1) return null;
  const tsSpace = line.indexOf(' ', fieldsAt);
  const fieldsEnd = tsSpace === -1 ? line.length : tsSpace;
  if (fieldsEnd === fieldsAt) return null;
  let timestamp: bigint | undefined;
  if (tsSpace !== -1) {
    const ts = line.slice(tsSpace + 1);
    if (!TIMESTAMP.test(ts)) return null;
    timestamp = BigInt(ts);
  }
  const headEnd = fieldsAt - 1;
  let comma = line.indexOf(',');
  if (comma === 0) return null;
  const tags: Record<string, string> = {};
  let measurement: string;
  if (comma === -1 || comma > headEnd) {
    measurement = line.slice(0, headEnd);
  } else {
    measurement = line.slice(0, comma);
    while (comma !== -1 && comma < headEnd) {
      const from = comma + 1;
      const next = line.indexOf(',', from);
      const end = next === -1 || next > headEnd ? headEnd : next;
      const eq = line.indexOf('=', from);
      if (eq <= from || eq >= end - 1) return null;
      tags[line.slice(from, eq)] = line.slice(eq + 1, end);
      comma = end === headEnd ? -1 : next;
    }
  }
  const fields: Record<string, FieldValue> = {};
  for (let from = fieldsAt; from < fieldsEnd;) {
    const next = line.indexOf(',', from);
    const end = next === -1 || next > fieldsEnd ? fieldsEnd : next;
    const eq = line.indexOf('=', from);
    if (eq <= from || eq >= end - 1) return null;
    const key = line.slice(from, eq);
    const value = unquotedValue(line.slice(eq + 1, end));
    if (value === undefined) return null;
    fields[key] = value;
    if (end === fieldsEnd) break;
    from = end + 1;
    if (from === fieldsEnd) return null;
  }
  return { measurement, tags, fields, timestamp };
}

const TIMESTAMP = /^-?\d{1,19}$/;

/** The general scanner: any line, with escapes and quoted strings; words what is wrong. */
export function parseAnyLine(line: string): ParsedLine {
  const sections = split(line, ' ', true).filter((s, i) => s !== '' || i === 0);
  if (sections.length < 2) throw new LineProtocolError('expected "measurement[,tags] fields [timestamp]"');
  if (sections.length > 3) throw new LineProtocolError('unexpected text after the timestamp');
  const [head, fieldSet, ts] = sections as [string, string, string | undefined];
  const [measurement, ...tagParts] = split(head, ',', false);
  if (!measurement) throw new LineProtocolError('missing measurement');
  const tags: Record<string, string> = {};
  for (const t of tagParts) {
    const kv = split(t, '=', false, 2);
    if (kv.length !== 2 || !kv[0] || !kv[1])
      throw new LineProtocolError(`tag ${JSON.stringify(t)}: expected key=value`);
    tags[unescape(kv[0])] = unescape(kv[1]);
  }
  const fields: Record<string, FieldValue> = {};
  for (const f of split(fieldSet, ',', true)) {
    const kv = split(f, '=', true, 2);
    if (kv.length !== 2 || !kv[0] || kv[1] === '') {
      throw new LineProtocolError(`field ${JSON.stringify(f)}: expected key=value`);
    }
    const key = unescape(kv[0]);
    fields[key] = parseValue(kv[1]!, key);
  }
  let timestamp: bigint | undefined;
  if (ts !== undefined) {
    if (!TIMESTAMP.test(ts)) throw new LineProtocolError(`timestamp ${JSON.stringify(ts)} is not an integer`);
    timestamp = BigInt(ts);
  }
  return { measurement: unescape(measurement), tags, fields, timestamp };
}

export type Precision = 'ns' | 'us' | 'ms' | 's';
const PER_MS: Record<Precision, bigint> = { ns: 1_000_000n, us: 1_000n, ms: 1n, s: 0n };

export function toEpochMs(ts: bigint, precision: Precision): number {
  return precision === 's' ? Number(ts * 1000n) : Number(ts / PER_MS[precision]);
}

const STATION_TAGS = ['stationId', 'station_id', 'station', 'sid'];
// A Map, not an object: a field named "toString" or "constructor" is not a measurement.
const FIELD_ALIASES = new Map<string, string>([
  ['pm25', 'pm25'],
  ['pm2_5', 'pm25'],
  ['pm2.5', 'pm25'],
  ['pm10', 'pm10'],
  ['o3', 'o3'],
  ['no2', 'no2'],
  ['so2', 'so2'],
  ['co', 'co'],
  ['temperature', 'temperature'],
  ['temp', 'temperature'],
  ['humidity', 'humidity'],
  ['rh', 'humidity'],
]);

/**
 * A line as a raw reading for the intake: station from a tag, measurements from known fields
 * (other fields are ignored, as Telegraf adds its own). Units are the hub's defaults.
 */
export function lineToReading(line: ParsedLine, precision: Precision, now: number): Record<string, unknown> {
  let stationId: string | undefined;
  for (const t of STATION_TAGS) {
    stationId = Object.hasOwn(line.tags, t) ? line.tags[t] : undefined;
    if (stationId !== undefined) break;
  }
  const reading: Record<string, unknown> = {
    stationId,
    time: line.timestamp === undefined ? now : toEpochMs(line.timestamp, precision),
  };
  for (const k in line.fields) {
    const name = FIELD_ALIASES.get(k);
    if (name) reading[name] = line.fields[k];
  }
  return reading;
}
