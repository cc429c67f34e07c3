// Event frames built once, in one allocation that also holds their WebSocket framing. The fanout
// hands every subscriber of a channel the same event bytes; ws would build a frame header and
// write header and payload (two writes under a cork) for each socket. Here the payload is made
// with the RFC 6455 header in front of it, so a WebSocket gets the whole frame as one buffer and
// the other transports (SSE, long-poll, history) see only the payload, as before.

const FRAMED = Symbol('citystream.wsFrame');

/** A payload made by `framedPayload`: its bytes, with the whole WebSocket frame they end. */
type Framed = Buffer & { [FRAMED]?: Buffer };

/** Header bytes of an unmasked text frame: 7-bit, 16-bit or 64-bit payload length. */
const headerBytes = (length: number) => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

/**
 * An unmasked, unfragmented text frame header (RFC 6455 §5.2): FIN and opcode 1, then the
 * payload length in 7 bits, or 126 and 16 bits, or 127 and 64 bits. A server never masks.
 */
function writeHeader(frame: Buffer, length: number): void {
  frame[0] = 0x81;
  if (length < 126) {
    frame[1] = length;
  } else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
}

/**
 * The UTF-8 text of `parts` in a row (strings are encoded, Buffers copied), as a Buffer whose
 * WebSocket text frame `wsFrameOf` returns without another copy.
 */
export function framedPayload(parts: readonly (string | Buffer)[]): Buffer {
  let length = 0;
  for (const p of parts) length += typeof p === 'string' ? Buffer.byteLength(p) : p.length;
  const header = headerBytes(length);
  const frame = Buffer.allocUnsafe(header + length);
  writeHeader(frame, length);
  let at = header;
  for (const p of parts) at += typeof p === 'string' ? frame.write(p, at) : p.copy(frame, at);
  const payload: Framed = frame.subarray(header);
  payload[FRAMED] = frame;
  return payload;
}

/** The WebSocket frame of a payload made by `framedPayload`; undefined for anything else. */
export function wsFrameOf(payload: Buffer | string): Buffer | undefined {
  return typeof payload === 'string' ? undefined : (payload as Framed)[FRAMED];
}
