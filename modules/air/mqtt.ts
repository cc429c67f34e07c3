// Integrator pushes over MQTT: `citystream/air/{stationId}/readings`, a JSON reading (or array)
// per message; the station comes from the topic. Messages are acknowledged (QoS 1 PUBACK) only
// after the readings are published to Kafka, so the broker re-delivers what we did not take.
// Refused readings go to dlq.v1 with the reason: MQTT has no reply to carry it.
import mqtt, { type MqttClient } from 'mqtt';
import type { Bus } from '../../core/bus/index.ts';
import { EVENT_TYPES, makeEvent, TOPICS } from '../../core/events/index.ts';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../../core/retry.ts';
import type { Intake } from './intake.ts';

export const MQTT_TOPIC = 'citystream/air/+/readings';
/**
 * How long the broker keeps our session (and queues QoS 1 messages for it) while we are away.
 * Bounded, so sessions of instances that never come back do not pile up on the broker. Not a
 * shared subscription: brokers queue a share for offline members too, which would strand
 * messages on a dead instance; with several ingest processes each takes every message, and the
 * duplicates are harmless (same station and time replace each other in the store).
 */
export const MQTT_SESSION_EXPIRY_SECONDS = 3600;

export async function startMqttIngest(
  url: string,
  intake: Intake,
  bus: Bus,
  logger: Logger,
  clientId: string,
  stopping: AbortController,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId,
    protocolVersion: 5,
    clean: false, // a persistent session keeps QoS 1 messages while we are away (restarts, outages)
    properties: { sessionExpiryInterval: MQTT_SESSION_EXPIRY_SECONDS },
    reconnectPeriod: 1_000,
  });
  // mqtt.js sends the PUBACK only after handleMessage calls back, and reads the next message only
  // then: so a reading is acknowledged once Kafka has it, and order per connection is kept. While
  // Kafka cannot take it we keep trying rather than acknowledge and lose it.
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    void (async () => {
      for (let attempt = 0; !stopping.signal.aborted; attempt++) {
        try {
          await handle(packet.topic, packet.payload as Buffer);
          return done();
        } catch (err) {
          logger.warn(
            { err: (err as Error).message, topic: packet.topic, attempt },
            'MQTT reading not yet published; retrying',
          );
          await sleep(backoffDelay(attempt, 200, 10_000), stopping.signal);
        }
      }
    })();
  };

  async function handle(topic: string, message: Buffer): Promise<void> {
    const stationId = topic.split('/')[2]!;
    let reason: string | null = null;
    let items: unknown[] = [];
    try {
      const json: unknown = JSON.parse(message.toString('utf8'));
      items = Array.isArray(json) ? json : [json];
    } catch (err) {
      reason = `not valid JSON: ${(err as Error).message}`;
    }
    const result = reason
      ? null
      : await intake.submit(
          items.map((value, index) => ({
            index,
            value: typeof value === 'object' && value !== null ? { stationId, ...value } : value,
          })),
          { origin: `push:mqtt:${stationId}` },
        );
    if (result && result.rejected.length > 0) {
      reason = result.rejected
        .map((r) => `item ${r.index}${r.field ? ` ${r.field}` : ''}: ${r.reason}`)
        .join('; ');
    }
    if (reason) {
      await bus.publish(TOPICS.dlq.name, [
        {
          key: stationId,
          event: makeEvent({
            type: EVENT_TYPES.deadLetter,
            source: '/citystream/ingest/air/mqtt',
            subject: stationId,
            data: {
              origin: `ingest:mqtt:${topic}`,
              key: stationId,
              reason,
              issues: [],
              raw: message.toString('base64'),
              receivedAt: new Date().toISOString(),
            },
          }),
        },
      ]);
    }
  }

  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(MQTT_TOPIC, { qos: 1 });
  client.on('error', (err) => logger.warn({ err: err.message }, 'MQTT client error'));
  return client;
}
