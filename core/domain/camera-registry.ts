// The camera registry as every process sees it: a broadcast reader of the compacted
// camera.registry.v1 topic, from the beginning, kept in memory with the partition of each camera
// (partition ownership in the ingest group = camera ownership).
import type { Bus, Consumer } from '../bus/index.ts';
import type { CameraConfig } from '../events/cameras.ts';
import { EVENT_TYPES, TOPICS } from '../events/catalog.ts';
import { makeEvent } from '../events/envelope.ts';

export interface RegisteredCamera {
  config: CameraConfig;
  partition: number;
}

export const REGISTRY_TOPIC = TOPICS.cameraRegistry.name;

export class CameraRegistry {
  private readonly cameras = new Map<string, RegisteredCamera>();
  private readonly listeners = new Set<(id: string) => void>();
  private consumer: Consumer | null = null;
  /** Offsets read so far per partition, to know when the initial read has caught up. */
  private readonly read = new Map<number, bigint>();

  private readonly bus: Bus;

  private constructor(bus: Bus) {
    this.bus = bus;
  }

  /** Starts reading and resolves once everything published before the call has been read. */
  static async open(bus: Bus, name: string, timeoutMs = 30_000): Promise<CameraRegistry> {
    const registry = new CameraRegistry(bus);
    const ends = await bus.offsets(REGISTRY_TOPIC);
    registry.consumer = await bus.consume({
      mode: 'broadcast',
      groupId: `${name}-camera-registry`,
      topics: [REGISTRY_TOPIC],
      start: 'earliest',
      handler: async (batch) => {
        for (const d of batch.deliveries) {
          if (d.key === null) continue;
          const config = d.event?.data ?? null;
          if (config) registry.cameras.set(d.key, { config, partition: d.partition });
          else registry.cameras.delete(d.key);
          for (const l of registry.listeners) l(d.key);
        }
        const last = batch.deliveries[batch.deliveries.length - 1];
        if (last) registry.read.set(batch.partition, BigInt(last.offset));
      },
    });
    const deadline = Date.now() + timeoutMs;
    const caughtUp = () =>
      ends.every(
        (e) =>
          BigInt(e.high) <= BigInt(e.low) || (registry.read.get(e.partition) ?? -1n) >= BigInt(e.high) - 1n,
      );
    while (!caughtUp()) {
      if (Date.now() > deadline) {
        await registry.close();
        throw new Error(`camera registry: not caught up with ${REGISTRY_TOPIC} within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return registry;
  }

  list(): RegisteredCamera[] {
    return [...this.cameras.values()];
  }

  get(id: string): RegisteredCamera | undefined {
    return this.cameras.get(id);
  }

  /** Called with the camera id after each change the reader applies. */
  onChange(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = null;
  }
}

/** Publishes cameras to the registry; unchanged entries are skipped so pipelines do not restart. */
export async function registerCameras(
  bus: Bus,
  source: string,
  cameras: CameraConfig[],
  known?: CameraRegistry,
): Promise<number> {
  const changed = cameras.filter((c) => {
    const existing = known?.get(c.id)?.config;
    return !existing || JSON.stringify(existing) !== JSON.stringify(c);
  });
  await bus.publish(
    REGISTRY_TOPIC,
    changed.map((c) => ({
      key: c.id,
      event: makeEvent({ type: EVENT_TYPES.cameraConfig, source, subject: c.id, data: c }),
    })),
  );
  return changed.length;
}

/**
 * Removes a camera from the registry: a tombstone under its key, which compaction keeps until it
 * has removed the camera's earlier records. Every reader drops the camera (the ingest worker
 * running it stops its pipelines).
 */
export async function unregisterCamera(bus: Bus, id: string): Promise<void> {
  await bus.publish(REGISTRY_TOPIC, [{ key: id, event: null }]);
}
