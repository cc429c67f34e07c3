// What a Connection writes to: one open stream to one client over some transport (a WebSocket, an
// SSE response). The Connection holds the protocol (identity, subscriptions, limits, recovery,
// backpressure); a Wire only moves frames, so every transport gets the same rules and the same
// shared event frames from the fanout.

export interface Wire {
  readonly transport: 'websocket' | 'sse';
  /**
   * Whether frames carry the client's position (SSE `id:`): the Connection then tracks one
   * cursor over all its channels and passes it with every event and ack.
   */
  readonly carriesPosition: boolean;
  /** Writes one JSON frame; `position` is the client's cursor after it (when carried). */
  send(frame: Buffer | string, position?: string): void;
  /** Bytes handed to the transport and not yet written to the network. */
  readonly bufferedAmount: number;
  /** Holds writes until `uncork`, so the frames of one batch leave in one write. */
  cork(): void;
  uncork(): void;
  /** Ends the stream telling the client why (close frame, or a final `close` frame on SSE). */
  close(code: number, reason: string): void;
  /** Drops the stream without a goodbye (a peer that does not read its close). */
  terminate(): void;
  /** Stops reading the client's frames (they wait in TCP); transports without input ignore it. */
  pauseInput(): void;
  resumeInput(): void;
}
