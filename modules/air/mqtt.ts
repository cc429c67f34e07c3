// Integrator pushes over MQTT: `citystream/air/{stationId}/readings`, a JSON reading (or array)
// per message; the station comes from the topic. Messages are acknowledged (QoS 1 PUBACK) only
// after the readings are published to Kafka, so the broker re-delivers what we did not take.
// Refused readings go to dlq.v1 with the reason (MQTT has no reply to carry it) and the message is
// acknowledged: a bad message never blocks the ones behind it, nor start-up.
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { ApiKeyRegistry } from '../../core/auth/index.ts';
import { InvalidEventError, UnknownTopicError, type Bus } from '../../core/bus/index.ts';
import { deadLetterRecord, TOPICS } from '../../core/events/index.ts';
import type { Logger } from 'pino';
import { backoffDelay, sleep } from '../../core/retry.ts';
import type { Intake, ItemRejection } from './intake.ts';

export const MQTT_TOPIC = 'citystream/air/+/readings';
/**
 * How long the broker keeps our session (and queues QoS 1 messages for it) while we are away.
 * Bounded, so sessions of instances that never come back do not pile up on the broker. Not a
 * shared subscription: brokers queue a share for offline members too, which would strand
 * messages on a dead instance; with several ingest processes each takes every message, and the
 * duplicates are harmless (same station and time replace each other in the store).
 */
export const MQTT_SESSION_EXPIRY_SECONDS = 3600;

/** MQTT 5 user property carrying the integrator key (the broker is not where keys are checked). */
export const MQTT_KEY_PROPERTY = 'api-key';

/** Set by a staff replay of a dead letter (its id), so a replay that fails again names it. */
export const MQTT_REPLAY_PROPERTY = 'replay-of';

const userProperty = (packet: IPublishPacket, name: string): string | undefined => {
  const v = packet.properties?.userProperties?.[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The key a message carries, if any: the first value of its `api-key` user property. */
function messageKey(packet: IPublishPacket): string | undefined {
  const v = packet.properties?.userProperties?.[MQTT_KEY_PROPERTY];
  return Array.isArray(v) ? v[0] : v;
}

export async function startMqttIngest(
  url: string,
  intake: Intake,
  bus: Bus,
  logger: Logger,
  clientId: string,
  stopping: AbortController,
  keys?: ApiKeyRegistry,
): Promise<MqttClient> {
  // mqtt.js (~60 files) is loaded only by a process that has MQTT_URL: start-up time.
  const { default: mqtt } = await import('mqtt');
  const client = mqtt.connect(url, {
    clientId,
    protocolVersion: 5,
    clean: false, // a persistent session keeps QoS 1 messages while we are away (restarts, outages)
    properties: { sessionExpiryInterval: MQTT_SESSION_EXPIRY_SECONDS },
    reconnectPeriod: 1_000,
  });
  let sessionPresent = false;
  // mqtt.js sends the PUBACK only after handleMessage calls back, and reads the next message only
  // then: so a reading is acknowledged once Kafka has it, and order per connection is kept. While
  // Kafka cannot take it we keep trying rather than acknowledge and lose it. Whatever is wrong
  // with the message itself is dead-lettered and acknowledged instead (see `handle`), so only a
  // transient fault (Kafka or the station registry unreachable) ever holds the next message back.
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    void (async () => {
      for (let attempt = 0; !stopping.signal.aborted; attempt++) {
        try {
          await handle(
            packet.topic,
            packet.payload as Buffer,
            messageKey(packet),
            userProperty(packet, MQTT_REPLAY_PROPERTY),
          );
          return done();
        } catch (err) {
          if (err instanceof InvalidEventError || err instanceof UnknownTopicError) {
            // Our own record was refused by the bus: the same on every retry. Acknowledge, and say so.
            logger.error(
              { err: err.message, topic: packet.topic.slice(0, 300) },
              'MQTT message could not be published nor dead-lettered; acknowledged and dropped',
            );
            return done();
          }
          logger.warn(
            { err: (err as Error).message, topic: packet.topic.slice(0, 300), attempt },
            'MQTT reading not yet published; retrying',
          );
          await sleep(backoffDelay(attempt, 200, 10_000), stopping.signal);
        }
      }
    })();
  };

  async function handle(
    topic: string,
    message: Buffer,
    key: string | undefined,
    replayOf: string | undefined,
  ): Promise<void> {
    const stationId = topic.split('/')[2]!;
    let reason: string | null = null;
    let items: unknown[] = [];
    // A message that names a key is judged by it, at the moment it arrives: a revoked or unknown
    // key is refused (dead-lettered) however long the message waited at the broker.
    const grant = key === undefined ? null : (keys?.lookup(key) ?? null);
    if (key !== undefined && !grant) {
      await bus.publish(TOPICS.dlq.name, [
        mqttDeadLetter(topic, stationId, 'unknown or revoked API key', message, replayOf),
      ]);
      return;
    }
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
          { origin: `push:mqtt:${stationId}`, scope: grant },
        );
    if (result) keys?.count(grant, result.accepted, result.rejected.length);
    if (result && result.rejected.length > 0) reason = summarise(result.rejected);
    if (reason)
      await bus.publish(TOPICS.dlq.name, [mqttDeadLetter(topic, stationId, reason, message, replayOf)]);
  }

  await new Promise<void>((resolve, reject) => {
    client.once('connect', (connack) => {
      sessionPresent = connack.sessionPresent;
      resolve();
    });
    client.once('error', reject);
  });
  client.on('error', (err) => logger.warn({ err: err.message }, 'MQTT client error'));
  if (sessionPresent) {
    // The broker kept our subscription and is already re-delivering what queued while we were
    // away; the SUBACK is read only after that backlog, so waiting for it would make start-up
    // depend on every queued message being publishable now (Kafka up). Renew it in the background.
    client.subscribeAsync(MQTT_TOPIC, { qos: 1 }).catch((err: unknown) => {
      if (!stopping.signal.aborted) logger.warn({ err: (err as Error).message }, 'MQTT re-subscribe failed');
    });
  } else {
    await client.subscribeAsync(MQTT_TOPIC, { qos: 1 });
  }
  return client;
}

/** At most this many refusals are spelled out in a dead letter's reason; the rest are counted. */
const REASONS_SHOWN = 20;

function summarise(rejected: ItemRejection[]): string {
  const shown = rejected
    .slice(0, REASONS_SHOWN)
    .map((r) => `item ${r.index}${r.field ? ` ${r.field}` : ''}: ${r.reason}`.slice(0, 300));
  const more = rejected.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** The dead letter for a message (or the part of it) the hub refused; valid for any topic text. */
export function mqttDeadLetter(
  topic: string,
  stationId: string,
  reason: string,
  message: Buffer,
  replayOf?: string,
) {
  // The topic level is whatever the publisher wrote: keep key and subject within what the
  // envelope allows, so the dead letter itself can never be refused.
  const subject = stationId.slice(0, 200) || '(empty station)';
  return deadLetterRecord({
    key: subject,
    source: '/citystream/ingest/air/mqtt',
    subject,
    letter: {
      origin: `ingest:mqtt:${topic.slice(0, 300)}`,
      key: subject,
      reason,
      issues: [],
      ...(replayOf ? { replayOf: replayOf.slice(0, 200) } : {}),
    },
    original: message,
  });
}
