// What the api role needs from an ingest worker in the same process: the in-memory latest
// snapshot of the cameras that worker runs. Keyed by the process's bus, so several hubs in one
// test process do not see each other's cameras.
import type { Bus } from '../../core/bus/index.ts';
import type { Snapshot } from './snapshots.ts';

export interface LocalCameras {
  /** The latest snapshot when this process runs the camera; undefined otherwise. */
  snapshot(cameraId: string): Snapshot | undefined;
}

const byBus = new WeakMap<Bus, LocalCameras>();

export function setLocalCameras(bus: Bus, local: LocalCameras | null): void {
  if (local) byBus.set(bus, local);
  else byBus.delete(bus);
}

export function localCameras(bus: Bus): LocalCameras | undefined {
  return byBus.get(bus);
}
