// kafkajs 2.2.4 encodes a Produce request through its generic Encoder: every varint of every
// record becomes a Buffer.from([...]) of its own, each record's timestamp delta goes through 64-bit
// Long objects, each record is copied into its batch, the batch into its partition entry and that
// into the request, every copy into a buffer grown by doubling, and the batch CRC-32C is computed
// a byte at a time in JavaScript. Under ingest load that was a quarter of the hub's CPU
// (bench:ingest profiled at 10,000 readings/s: 24.5 % in produce/v3/request.js and below).
//
// This module encodes the same request body (Produce v3; kafkajs sends v4-v7 through it) in two
// passes into one buffer: sizes first, then bytes, with the CRC-32C computed natively. The bytes
// are the ones kafkajs would write (the unit test compares them over varied inputs); what it
// does not cover — compression, caller-set timestamps, key/value/header types other than
// string, Buffer or null — keeps kafkajs's own encoder.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** Native, from prebuilt binaries per platform: where none fits, kafkajs keeps encoding. */
const crc32c = ((): ((data: Buffer) => number) | null => {
  try {
    return (require('@node-rs/crc32') as { crc32c: (data: Buffer) => number }).crc32c;
  } catch {
    return null;
  }
})();
const PRODUCE = 'kafkajs/src/protocol/requests/produce';
export const PRODUCE_V3_REQUEST_MODULE = `${PRODUCE}/v3/request.js`;
/** The later request versions wrap v3's function, captured when each of them first loads. */
const WRAPPERS = [4, 5, 6, 7].map((v) => `${PRODUCE}/v${v}/request.js`);

type Bytes = Buffer | string | null | undefined;
interface Message {
  key?: Bytes;
  value?: Bytes;
  headers?: Record<string, Bytes | Bytes[]>;
  timestamp?: unknown;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Message[];
}
interface TopicData {
  topic: string;
  partitions: PartitionData[];
}
export interface ProduceArgs {
  acks: number;
  timeout: number;
  transactionalId?: string | null;
  producerId?: unknown;
  producerEpoch?: number;
  compression?: number;
  topicData: TopicData[];
}
interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
}
interface ProduceRequest {
  encode(): Promise<KafkajsEncoder>;
}
type ProduceRequestFactory = (args: ProduceArgs) => ProduceRequest;

const Encoder = require('kafkajs/src/protocol/encoder.js') as new (initialSize?: number) => KafkajsEncoder;
const Long = require('kafkajs/src/utils/long.js') as {
  fromValue(v: unknown): { value: bigint };
  fromInt(v: number): { value: bigint };
};

const isBytes = (v: unknown): v is Bytes =>
  v === null || v === undefined || typeof v === 'string' || Buffer.isBuffer(v);

/** Whether every message is one this encoder writes exactly as kafkajs does. */
function covers(args: ProduceArgs): boolean {
  if (args.compression !== undefined && args.compression !== 0) return false;
  for (const t of args.topicData) {
    for (const p of t.partitions) {
      for (const m of p.messages) {
        if (m.timestamp != null || !isBytes(m.key) || !isBytes(m.value)) return false;
        if (m.headers === undefined) continue;
        if (typeof m.headers !== 'object' || m.headers === null) return false;
        for (const v of Object.values(m.headers)) {
          // kafkajs itself cannot size a null header value (Buffer.byteLength(null) throws).
          const values = Array.isArray(v) ? v : [v];
          if (!values.every((x) => typeof x === 'string' || Buffer.isBuffer(x))) return false;
        }
      }
    }
  }
  return true;
}

const zigzag = (n: number): number => (n << 1) ^ (n >> 31);

function varIntSize(n: number): number {
  let v = zigzag(n) >>> 0;
  let size = 1;
  while (v >= 0x80) {
    size++;
    v >>>= 7;
  }
  return size;
}

const byteLength = (v: Bytes): number =>
  v == null ? -1 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** Size of a varint length prefix plus the bytes (-1 length for null). */
const sizedBytes = (length: number): number => varIntSize(length) + Math.max(length, 0);

function headerPairs(headers: Message['headers']): [string, Buffer | string][] {
  if (!headers) return [];
  const pairs: [string, Buffer | string][] = [];
  for (const key of Object.keys(headers)) {
    const v = headers[key];
    if (Array.isArray(v)) for (const x of v) pairs.push([key, x as Buffer | string]);
    else pairs.push([key, v as Buffer | string]);
  }
  return pairs;
}

class Writer {
  offset = 0;
  readonly buf: Buffer;
  constructor(buf: Buffer) {
    this.buf = buf;
  }

  int8(v: number): void {
    this.buf[this.offset++] = v & 0xff;
  }
  int16(v: number): void {
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
  }
  int32(v: number): void {
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
  }
  int64(v: bigint): void {
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.offset);
    this.offset += 8;
  }
  varInt(n: number): void {
    let v = zigzag(n) >>> 0;
    while (v >= 0x80) {
      this.buf[this.offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.offset++] = v;
  }
  raw(v: Buffer | string, length: number): void {
    if (typeof v === 'string') this.buf.write(v, this.offset, length, 'utf8');
    else v.copy(this.buf, this.offset);
    this.offset += length;
  }
  /** Varint length, then the bytes; null is length -1. */
  varBytes(v: Bytes, length: number): void {
    this.varInt(length);
    if (v != null) this.raw(v, length);
  }
  string(v: string | null): void {
    if (v == null) return this.int16(-1);
    const length = Buffer.byteLength(v);
    this.int16(length);
    this.raw(v, length);
  }
}

interface SizedRecord {
  message: Message;
  keyLength: number;
  valueLength: number;
  headers: [string, Buffer | string][];
  headerLengths: number[];
  /** The record's body (after its own length varint). */
  bodySize: number;
}

/** Fixed part of a record batch from the partition leader epoch on, before the records. */
const BATCH_HEADER = 4 + 1 + 4 + 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

function sizeRecords(messages: Message[]): { records: SizedRecord[]; size: number } {
  let size = 0;
  const records = messages.map((message, i): SizedRecord => {
    const keyLength = byteLength(message.key);
    const valueLength = byteLength(message.value);
    const headers = headerPairs(message.headers);
    const headerLengths: number[] = [];
    let headersSize = varIntSize(headers.length);
    for (const [k, v] of headers) {
      const kl = Buffer.byteLength(k);
      const vl = byteLength(v);
      headerLengths.push(kl, vl);
      headersSize += sizedBytes(kl) + sizedBytes(vl);
    }
    // attributes, timestamp delta (always 0: every record carries the batch's time), offset delta
    const bodySize = 1 + 1 + varIntSize(i) + sizedBytes(keyLength) + sizedBytes(valueLength) + headersSize;
    size += varIntSize(bodySize) + bodySize;
    return { message, keyLength, valueLength, headers, headerLengths, bodySize };
  });
  return { records, size };
}

/** The Produce v3 request body, as kafkajs's protocol/requests/produce/v3/request.js writes it. */
export function encodeProduceBody(args: ProduceArgs): Buffer {
  if (!crc32c) throw new Error('@node-rs/crc32 has no binary for this platform');
  const transactionalId = args.transactionalId ?? null;
  const producerId = Long.fromValue(args.producerId ?? Long.fromInt(-1)).value;
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = transactionalId ? 16 : 0;

  const sized = args.topicData.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => ({ p, ...sizeRecords(p.messages) })),
  }));
  let total = 2 + (transactionalId == null ? 0 : Buffer.byteLength(transactionalId)) + 2 + 4 + 4;
  for (const t of sized) {
    total += 2 + Buffer.byteLength(t.topic) + 4;
    for (const p of t.partitions) total += 4 + 4 + 8 + 4 + BATCH_HEADER + p.size;
  }

  const w = new Writer(Buffer.allocUnsafe(total));
  w.string(transactionalId);
  w.int16(args.acks);
  w.int32(args.timeout);
  w.int32(sized.length);
  for (const t of sized) {
    w.string(t.topic);
    w.int32(t.partitions.length);
    for (const { p, records, size } of t.partitions) {
      const batchLength = BATCH_HEADER + size;
      const now = BigInt(Date.now());
      w.int32(p.partition);
      w.int32(8 + 4 + batchLength); // the record set: first offset, length, batch
      w.int64(0n);
      w.int32(batchLength);
      w.int32(0); // partition leader epoch
      w.int8(2); // magic
      const crcAt = w.offset;
      w.offset += 4;
      w.int16(attributes);
      w.int32(records.length - 1); // last offset delta
      w.int64(now); // first timestamp
      w.int64(now); // max timestamp
      w.int64(producerId);
      w.int16(producerEpoch);
      w.int32(p.firstSequence ?? 0);
      w.int32(records.length);
      records.forEach((r, i) => {
        w.varInt(r.bodySize);
        w.int8(0); // attributes
        w.int8(0); // timestamp delta 0 as a zigzag varlong
        w.varInt(i);
        w.varBytes(r.message.key, r.keyLength);
        w.varBytes(r.message.value, r.valueLength);
        w.varInt(r.headers.length);
        r.headers.forEach(([k, v], h) => {
          w.varBytes(k, r.headerLengths[2 * h]!);
          w.varBytes(v, r.headerLengths[2 * h + 1]!);
        });
      });
      w.buf.writeUInt32BE(crc32c(w.buf.subarray(crcAt + 4, w.offset)), crcAt);
    }
  }
  if (w.offset !== total) throw new Error(`produce request sized ${total} bytes, wrote ${w.offset}`);
  return w.buf;
}

/** kafkajs's v3 request factory with `encode` replaced wherever this module covers the input. */
export function leanProduceRequest(original: ProduceRequestFactory): ProduceRequestFactory {
  return (args) => {
    const request = original(args);
    if (!covers(args)) return request;
    return {
      ...request,
      encode: async () => {
        const body = encodeProduceBody(args);
        const encoder = new Encoder(0);
        encoder.buf = body;
        encoder.offset = body.length;
        return encoder;
      },
    };
  };
}

let installed: boolean | undefined;

/**
 * Makes kafkajs encode Produce requests with this module, once per process. Returns false (and
 * changes nothing) when the installed kafkajs does not lay out its produce requests as read here
 * or the native CRC-32C is not available on this platform.
 */
export function useLeanProduceEncoder(): boolean {
  if (installed !== undefined) return installed;
  const path = require.resolve(PRODUCE_V3_REQUEST_MODULE);
  const original = require(path) as ProduceRequestFactory;
  const cached = require.cache[path];
  installed = crc32c !== null && typeof original === 'function' && cached !== undefined;
  if (!installed || !cached) return false;
  cached.exports = leanProduceRequest(original);
  // A later version already loaded holds the original; loaded again, it takes this one.
  for (const wrapper of WRAPPERS) delete require.cache[require.resolve(wrapper)];
  return true;
}
