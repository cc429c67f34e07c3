// Server-to-client WebSocket text frames built once per event instead of once per socket: the
// fanout hands the same event bytes to every subscriber of a channel, and ws would build a
// header and write header and payload (two writes under a cork) for each of them. Here the
// whole frame is made for the first subscriber and written as one buffer to the rest.
// Measured on this machine (2,000 sockets, 600,000 deliveries): 0.6-0.8 µs less CPU per
// delivery, about a tenth of the gateway's cost; the rest is the kernel's socket write.

/**
 * An unmasked, unfragmented text frame (RFC 6455 §5.2): FIN and opcode 1, then the payload
 * length in 7 bits, or 126 and 16 bits, or 127 and 64 bits. A server never masks its frames.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
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
  payload.copy(frame, headerBytes);
  return frame;
}

/**
 * The frame of the payload written last: a fanout writes one payload to every subscriber in a
 * row, so one slot holds it for all of them and costs one frame of memory, whatever the history
 * keeps. A payload written in between (another partition, a replay) just takes the slot.
 */
export class LastFrame {
  private payload: Buffer | null = null;
  private frame: Buffer | null = null;

  of(payload: Buffer): Buffer {
    if (payload !== this.payload) {
      this.frame = textFrame(payload);
      this.payload = payload;
    }
    return this.frame!;
  }
}
