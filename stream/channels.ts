// Channel names (docs/architecture.md, "WebSocket channels"), which topics and partitions feed each channel, and which
// channels an event goes to. A channel is `{family}:{id}`, e.g. `air:station:GZ-0001`. Most
// channels carry the record's own event; `aqi:city:{city}` carries the AQI derived from a reading.
import type { PartitionMetadata } from 'kafkajs';
import { defaultPartitioner } from '../core/bus/key-partitioner.ts';
import { CITY_IDS, type AirReading } from '../core/events/air.ts';
import { hasAqi } from '../core/domain/aqi.ts';
import { aqiEventOf } from '../core/domain/aqi-event.ts';
import type { CloudEvent } from '../core/events/envelope.ts';
import { EVENT_TYPES, TOPICS, topicSpec } from '../core/events/catalog.ts';
import type { TopicDelivery, TopicName } from '../core/bus/types.ts';
import type { ChannelFamily } from '../core/config/sections/stream.ts';

export interface Channel {
  name: string;
  family: ChannelFamily;
  id: string;
}

interface FamilySpec {
  /** How the id after the family prefix must look. */
  id: RegExp;
  idHelp: string;
  /**
   * Topics feeding the channel. `keyed`: the channel id is the record key, so only the key's
   * partition (the catalogue's partitioner) carries its events; otherwise every partition may.
   */
  feeds: { topic: TopicName; keyed: boolean }[];
  /** Latest-wins channels: a slow client may skip to the newest event per key and type. */
  conflatable: boolean;
}

const CITY = new RegExp(`^(?:${CITY_IDS.join('|')})$`);
const CITY_HELP = `a city id: ${CITY_IDS.join(', ')}`;
const SOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const SOURCE_HELP = '1-64 characters: letters, digits, . _ : -';

export const FAMILIES: Record<ChannelFamily, FamilySpec> = {
  'air:station': {
    id: SOURCE_ID,
    idHelp: `a station id (${SOURCE_HELP})`,
    feeds: [{ topic: TOPICS.airReadings.name, keyed: true }],
    conflatable: false,
  },
  'air:city': {
    id: CITY,
    idHelp: CITY_HELP,
    feeds: [{ topic: TOPICS.airReadings.name, keyed: false }],
    conflatable: false,
  },
  'aqi:city': {
    id: CITY,
    idHelp: CITY_HELP,
    // Each reading's AQI, derived here (derivationFor below): no topic carries AQI events.
    feeds: [{ topic: TOPICS.airReadings.name, keyed: false }],
    conflatable: true,
  },
  camera: {
    id: SOURCE_ID,
    idHelp: `a camera id (${SOURCE_HELP})`,
    feeds: [
      { topic: TOPICS.cameraSnapshots.name, keyed: true },
      { topic: TOPICS.cameraStatus.name, keyed: true },
    ],
    conflatable: true,
  },
  'cameras:city': {
    id: CITY,
    idHelp: CITY_HELP,
    feeds: [
      { topic: TOPICS.cameraSnapshots.name, keyed: false },
      { topic: TOPICS.cameraStatus.name, keyed: false },
    ],
    conflatable: true,
  },
  'incidents:city': {
    id: CITY,
    idHelp: CITY_HELP,
    feeds: [{ topic: TOPICS.incidents.name, keyed: false }],
    conflatable: false,
  },
  user: {
    id: /^[^\s,]{1,200}$/,
    idHelp: 'a user id (1-200 characters, no spaces or commas)',
    feeds: [
      { topic: TOPICS.bookings.name, keyed: true },
      { topic: TOPICS.payments.name, keyed: true },
      { topic: TOPICS.notices.name, keyed: true },
    ],
    conflatable: false,
  },
};

/** Longest prefix first, so `cameras:city:x` is not read as `camera` + `s:city:x`. */
const PREFIXES = (Object.keys(FAMILIES) as ChannelFamily[]).sort((a, b) => b.length - a.length);

export type ParsedChannel = { ok: true; channel: Channel } | { ok: false; message: string };

export function parseChannel(name: unknown): ParsedChannel {
  if (typeof name !== 'string' || name.length === 0 || name.length > 300)
    return { ok: false, message: 'a channel is a string of 1-300 characters' };
  for (const family of PREFIXES) {
    if (!name.startsWith(`${family}:`)) continue;
    const id = name.slice(family.length + 1);
    const spec = FAMILIES[family];
    if (!spec.id.test(id))
      return { ok: false, message: `channel "${name}": expected ${spec.idHelp} after "${family}:"` };
    return { ok: true, channel: { name, family, id } };
  }
  return {
    ok: false,
    message: `unknown channel "${name}"; channels are ${PREFIXES.map((f) => `${f}:{id}`).join(', ')}`,
  };
}

const partitioner = defaultPartitioner();
const metadataCache = new Map<number, PartitionMetadata[]>();

/** The partition the Kafka default partitioner (both buses use it) gives `key`. */
export function partitionForKey(topic: string, key: string): number {
  const count = topicSpec(topic)?.partitions ?? 1;
  let metadata = metadataCache.get(count);
  if (!metadata) {
    metadata = Array.from({ length: count }, (_, p) => ({
      partitionErrorCode: 0,
      partitionId: p,
      leader: 0,
      replicas: [0],
      isr: [0],
    }));
    metadataCache.set(count, metadata);
  }
  return partitioner({ topic, partitionMetadata: metadata, message: { key, value: null } });
}

/** The topic partitions that can carry events of `channel`, as `[topic, partition]`. */
export function channelFeeds(channel: Channel): [string, number][] {
  const out: [string, number][] = [];
  for (const feed of FAMILIES[channel.family].feeds) {
    if (feed.keyed) out.push([feed.topic, partitionForKey(feed.topic, channel.id)]);
    else {
      const count = topicSpec(feed.topic)?.partitions ?? 1;
      for (let p = 0; p < count; p++) out.push([feed.topic, p]);
    }
  }
  return out;
}

/** Topics the gateway consumes. */
export const FED_TOPICS: TopicName[] = [
  ...new Set(Object.values(FAMILIES).flatMap((f) => f.feeds.map((x) => x.topic))),
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The channels an event goes to. Empty ids are skipped (the schemas only require strings), so an
 * event without a usable `city` only reaches its station or camera channel.
 */
export function channelsFor(fed: TopicDelivery<TopicName>): string[] {
  const out: string[] = [];
  if (!fed.event) return out;
  switch (fed.topic) {
    case TOPICS.airReadings.name: {
      const reading = fed.event.data;
      if (str(reading.stationId)) out.push(`air:station:${reading.stationId}`);
      if (str(reading.city)) {
        out.push(`air:city:${reading.city}`);
        if (hasAqi(reading)) out.push(`aqi:city:${reading.city}`);
      }
      break;
    }
    case TOPICS.cameraSnapshots.name:
    case TOPICS.cameraStatus.name: {
      const { cameraId, city } = fed.event.data;
      if (str(cameraId)) out.push(`camera:${cameraId}`);
      if (str(city)) out.push(`cameras:city:${city}`);
      break;
    }
    case TOPICS.incidents.name:
      if (str(fed.event.data.city)) out.push(`incidents:city:${fed.event.data.city}`);
      break;
    case TOPICS.bookings.name:
    case TOPICS.payments.name:
    case TOPICS.notices.name:
      if (str(fed.event.data.userId)) out.push(`user:${fed.event.data.userId}`);
      break;
  }
  return out;
}

/** An event a channel carries in place of the record's own: its type, and how to make it from the record's event. */
export interface Derivation {
  type: string;
  make(event: CloudEvent): CloudEvent;
}

const AQI_OF_READING: Derivation = {
  type: EVENT_TYPES.airAqi,
  // channelsFor routes a reading to aqi:city only when it measures a pollutant: it has an AQI.
  make: (event) => aqiEventOf((event as CloudEvent<AirReading>).data)!,
};

/**
 * What `channel` carries instead of the records of `topic`, if anything. channelsFor lists such a
 * channel after the record's own ones, whose frame the derived event is made from.
 */
export function derivationFor(channel: string, topic: string): Derivation | null {
  return topic === TOPICS.airReadings.name && channel.startsWith('aqi:city:') ? AQI_OF_READING : null;
}

export const isConflatable = (family: ChannelFamily): boolean => FAMILIES[family].conflatable;
