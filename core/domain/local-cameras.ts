// The cameras this process's ingest worker runs, as seen by the camera routes of the same process:
// when the api role and the worker share a process, snapshot.jpg is served from memory instead of
// proxying the worker's file. One instance per hub (app/hub.ts puts it on the context), so several
// hubs in one test process never see each other's cameras.

/** The latest JPEG of a camera, as the worker keeps it in memory. */
export interface LocalSnapshot {
  time: Date;
  jpeg: Buffer;
  etag: string;
}

export interface LocalCameraSource {
  /** The latest snapshot when this process runs the camera; undefined otherwise. */
  snapshot(cameraId: string): LocalSnapshot | undefined;
}

/** Attached by the ingest camera worker while it runs; read by the camera routes. */
export class LocalCameras implements LocalCameraSource {
  private source: LocalCameraSource | null = null;

  /** The worker attaches itself on start and detaches (null) on stop. */
  attach(source: LocalCameraSource | null): void {
    this.source = source;
  }

  snapshot(cameraId: string): LocalSnapshot | undefined {
    return this.source?.snapshot(cameraId);
  }
}
