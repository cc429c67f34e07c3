// Points as InfluxDB line protocol, millisecond timestamps: the lines the client's Point class
// would write for them, without building one Point object (and its string field map) per point.
// The store validates every point first (pointProblem): measurement, tag and field names match
// series.ts's NAME and need no escaping, fields are finite numbers; only tag values are escaped.
import type { Point } from './types.ts';

const TAG_SPECIAL = /[, =\n\r\t]/g;
const TAG_ESCAPES: Record<string, string> = {
  ',': '\\,',
  ' ': '\\ ',
  '=': '\\=',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** A tag value as line protocol writes it (the client's escape.tag). */
function escapeTagValue(value: string): string {
  // replace returns the very string when nothing matches: no copy for a plain value.
  return value.replace(TAG_SPECIAL, (c) => TAG_ESCAPES[c]!);
}

/**
 * `measurement[,tag=value...] field=value[,...] time`, tags and fields sorted by name as the
 * client sorts them, empty tag values left out as it leaves them; null for a point without fields.
 */
export function toLine(p: Point): string | null {
  let line = p.measurement;
  const tagKeys = Object.keys(p.tags);
  if (tagKeys.length > 1) tagKeys.sort();
  for (const k of tagKeys) {
    const v = p.tags[k];
    if (v) line += `,${k}=${escapeTagValue(v)}`;
  }
  const fieldKeys = Object.keys(p.fields);
  if (fieldKeys.length === 0) return null;
  if (fieldKeys.length > 1) fieldKeys.sort();
  let sep = ' ';
  for (const k of fieldKeys) {
    line += `${sep}${k}=${p.fields[k]}`;
    sep = ',';
  }
  return `${line} ${p.time.getTime()}`;
}
