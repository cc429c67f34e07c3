// What the dashboard receives from the live stream: one CloudEvent on one channel, at its
// `partition:offset` position (the shape the client SDK delivers).
export interface ChannelEvent<T = unknown> {
  channel: string;
  pos: string;
  event: { id: string; type: string; source: string; time: string; subject?: string; data: T };
}

export type LinkState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The channels of a city's public live data (docs/architecture.md, "WebSocket channels"). */
export function cityChannels(city: string): string[] {
  return [`air:city:${city}`, `aqi:city:${city}`, `cameras:city:${city}`, `incidents:city:${city}`];
}
