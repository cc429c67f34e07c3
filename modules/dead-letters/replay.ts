// Sends a dead letter's original bytes back where they came from: an MQTT message to its MQTT
// topic (with a `replay-of` user property, so a replay that fails again is dead-lettered naming
// this one), a consumed record to its Kafka topic as it was. The record then goes through the
// same checks as the first time: if it fails again it is a new dead letter with the new reason,
// and nothing replays it automatically, so a record can never loop.
import type { MqttClient } from 'mqtt';
import type { Bus } from '../../core/bus/index.ts';
import type { DeadLetterRow } from './store.ts';

export type ReplayTarget = { kind: 'mqtt'; topic: string } | { kind: 'kafka'; topic: string };

/** Where a dead letter can be replayed to, or why it cannot. */
export function replayTarget(d: DeadLetterRow): ReplayTarget | { error: string } {
  if (d.raw_bytes !== null)
    return { error: 'only the first bytes were kept; the original cannot be rebuilt' };
  if (d.origin.startsWith('ingest:mqtt:'))
    return { kind: 'mqtt', topic: d.origin.slice('ingest:mqtt:'.length) };
  if (d.origin.startsWith('consumer:') && d.topic) return { kind: 'kafka', topic: d.topic };
  return {
    error: `records from ${d.origin.split(':').slice(0, 2).join(':')} are re-read by their source, not replayed`,
  };
}

export class Replayer {
  private client: Promise<MqttClient> | null = null;
  private readonly bus: Bus;
  private readonly mqttUrl: string | null;

  constructor(bus: Bus, mqttUrl: string | null) {
    this.bus = bus;
    this.mqttUrl = mqttUrl;
  }

  async send(d: DeadLetterRow, target: ReplayTarget): Promise<void> {
    const bytes = Buffer.from(d.raw, 'base64');
    if (target.kind === 'kafka') {
      await this.bus.publishRaw(target.topic, [{ key: d.key, value: bytes, headers: { 'replay-of': d.id } }]);
      return;
    }
    if (!this.mqttUrl)
      throw new Error('MQTT_URL is not set on this process; MQTT dead letters cannot be replayed');
    const url = this.mqttUrl;
    // mqtt.js is loaded on the first MQTT replay only: start-up time of every api process.
    this.client ??= import('mqtt').then(({ default: mqtt }) =>
      mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 1_000 }),
    );
    const client = await this.client;
    await client.publishAsync(target.topic, bytes, {
      qos: 1,
      properties: { userProperties: { 'replay-of': d.id } },
    });
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client.catch(() => null))?.endAsync();
  }
}
