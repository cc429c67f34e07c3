// Per-camera Prometheus metrics of the ingest worker (label `camera`; one series per camera, so
// cardinality is the camera count). The same samples go to the time-series store.
import { Counter, Gauge, type Registry } from 'prom-client';

export function createCameraMetrics(registry: Registry, limiter: { active: number }) {
  const labelNames = ['camera'] as const;
  return {
    frames: new Counter({
      name: 'citystream_camera_snapshots_total',
      help: 'Snapshots (decoded frames kept) per camera',
      labelNames,
      registers: [registry],
    }),
    snapshotBytes: new Gauge({
      name: 'citystream_camera_snapshot_bytes',
      help: 'Size of the latest JPEG snapshot',
      labelNames,
      registers: [registry],
    }),
    decodeSeconds: new Gauge({
      name: 'citystream_camera_decode_seconds',
      help: 'ffmpeg CPU seconds per snapshot (demux, decode, scale, encode) over the last sample window',
      labelNames,
      registers: [registry],
    }),
    inputBitrate: new Gauge({
      name: 'citystream_camera_input_bitrate_bps',
      help: 'Compressed input read from the source, bits per second',
      labelNames,
      registers: [registry],
    }),
    restarts: new Counter({
      name: 'citystream_camera_restarts_total',
      help: 'ffmpeg restarts after a stall, an exit or an error',
      labelNames,
      registers: [registry],
    }),
    uptime: new Gauge({
      name: 'citystream_camera_uptime_seconds',
      help: 'Seconds since the current ffmpeg run produced its first frame (0 when not online)',
      labelNames,
      registers: [registry],
    }),
    online: new Gauge({
      name: 'citystream_camera_online',
      help: '1 while the camera is online on this worker',
      labelNames,
      registers: [registry],
    }),
    processes: new Gauge({
      name: 'citystream_camera_ffmpeg_processes',
      help: 'ffmpeg processes running on this worker',
      registers: [registry],
      collect() {
        this.set(limiter.active);
      },
    }),
    liveRestreams: new Gauge({
      name: 'citystream_camera_live_restreams',
      help: 'Live HLS restreams running on this worker (cameras being watched)',
      registers: [registry],
    }),
    liveEncoders: new Gauge({
      name: 'citystream_camera_live_encoders',
      help: 'Live restreams that encode (MJPEG and JPEG sources) on this worker',
      registers: [registry],
    }),
    liveRestarts: new Counter({
      name: 'citystream_camera_live_restarts_total',
      help: 'Live restream ffmpeg restarts after a stall, an exit or an error',
      labelNames,
      registers: [registry],
    }),
    owned: new Gauge({
      name: 'citystream_camera_owned',
      help: 'Cameras this worker owns (its registry partitions)',
      registers: [registry],
    }),
  };
}

export type CameraMetrics = ReturnType<typeof createCameraMetrics>;

/** Removes a camera's series when it leaves this worker, so /metrics shows only owned cameras. */
export function forgetCamera(m: CameraMetrics, camera: string): void {
  for (const metric of [
    m.frames,
    m.snapshotBytes,
    m.decodeSeconds,
    m.inputBitrate,
    m.restarts,
    m.uptime,
    m.online,
    m.liveRestarts,
  ])
    metric.remove({ camera });
}
