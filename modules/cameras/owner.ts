// Which ingest worker serves a camera's files, as an api process can tell from the bus: the
// latest snapshot event's URL is the owner's advertised base URL followed by the snapshot path.
// After an ownership move the new owner's `online` status can arrive before its first snapshot;
// until that snapshot names the same worker, the owner's URL is not known (null).
import type { CameraSnapshot, CameraStatus } from '../../core/events/cameras.ts';

export function ownerBaseUrl(
  cameraId: string,
  status: CameraStatus | undefined,
  snapshot: CameraSnapshot | undefined,
): string | null {
  if (!snapshot) return null;
  if (status?.worker && snapshot.worker && status.worker !== snapshot.worker) return null;
  const suffix = `/v1/cameras/${encodeURIComponent(cameraId)}/snapshots/`;
  const at = snapshot.url.lastIndexOf(suffix);
  return at > 0 ? snapshot.url.slice(0, at) : null;
}
