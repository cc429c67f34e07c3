// What the API knows about cameras, read from the bus like any other consumer: the registry, the
// latest status of each camera and its latest snapshot metadata. Broadcast readers, so every API
// process has the full picture whichever ingest worker runs a camera.
import type { Bus, Consumer } from '../../core/bus/index.ts';
import type { CameraSnapshot, CameraStatus } from '../../core/events/cameras.ts';
import { TOPICS } from '../../core/events/catalog.ts';
import { CameraRegistry } from '../../core/domain/camera-registry.ts';

/** How far back the snapshot reader starts: older snapshots are not "latest" any more. */
const SNAPSHOT_LOOKBACK_MS = 10 * 60_000;

export class CameraViews {
  readonly status = new Map<string, CameraStatus>();
  readonly snapshots = new Map<string, CameraSnapshot>();
  private readonly consumers: Consumer[] = [];

  readonly registry: CameraRegistry;

  private constructor(registry: CameraRegistry) {
    this.registry = registry;
  }

  static async open(bus: Bus, name: string): Promise<CameraViews> {
    const views = new CameraViews(await CameraRegistry.open(bus, name));
    try {
      views.consumers.push(
        await bus.consume({
          mode: 'broadcast',
          groupId: `${name}-camera-status`,
          topics: [TOPICS.cameraStatus.name],
          start: 'earliest',
          handler: async (batch) => {
            for (const d of batch.deliveries) {
              const s = d.event?.data;
              if (s) views.status.set(s.cameraId, s);
            }
          },
        }),
        await bus.consume({
          mode: 'broadcast',
          groupId: `${name}-camera-snapshots`,
          topics: [TOPICS.cameraSnapshots.name],
          start: { timestamp: Date.now() - SNAPSHOT_LOOKBACK_MS },
          handler: async (batch) => {
            for (const d of batch.deliveries) {
              const s = d.event?.data;
              const prev = s && views.snapshots.get(s.cameraId);
              if (s && (!prev || prev.time <= s.time)) views.snapshots.set(s.cameraId, s);
            }
          },
        }),
      );
    } catch (err) {
      await views.close();
      throw err;
    }
    return views;
  }

  async close(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.registry.close();
  }
}
