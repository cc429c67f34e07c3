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

/** A file of a camera's live HLS restream (playlist or segment), as the owning worker serves it. */
export interface LiveFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

export interface LocalCameraSource {
  /** The latest snapshot when this process runs the camera; undefined otherwise. */
  snapshot(cameraId: string): LocalSnapshot | undefined;
  /**
   * A live restream file (`index.m3u8` or a segment) when this process runs the camera, starting
   * the restream on demand; undefined when it does not run the camera. Throws an HTTP problem
   * (503 with the reason) when the restream cannot be played, and resolves null for a segment
   * that has rolled off.
   */
  live?(cameraId: string, file: string): Promise<LiveFile | null> | undefined;
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

  live(cameraId: string, file: string): Promise<LiveFile | null> | undefined {
    return this.source?.live?.(cameraId, file);
  }
}
