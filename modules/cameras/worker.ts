// The camera ingest worker. It joins the `cameras-ingest` consumer group on camera.registry.v1:
// the partitions Kafka assigns to it are the cameras it runs, so adding a worker or losing one
// moves cameras by an ordinary group rebalance. For each owned, enabled camera it keeps a
// supervised ffmpeg pipeline, stores snapshots, and publishes snapshot and status events.
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Bus, Consumer } from '../../core/bus/index.ts';
import type { CamerasConfig } from '../../core/config/sections/cameras.ts';
import {
  maskUrlCredentials,
  type CameraConfig,
  type CameraSnapshot,
  type CameraStatus,
} from '../../core/events/cameras.ts';
import { EVENT_TYPES, TOPICS } from '../../core/events/catalog.ts';
import { makeEvent } from '../../core/events/envelope.ts';
import { validateOwnEvent } from '../../core/events/validate.ts';
import type { HttpServer } from '../../core/http/index.ts';
import { HttpProblem, notFound } from '../../core/http/problem.ts';
import type { Point, TimeSeriesStore } from '../../core/timeseries/types.ts';
import { resolveFfmpeg, type FfmpegBinary } from './ffmpeg-binary.ts';
import { ProcessLimiter } from './limiter.ts';
import { LiveRestreams } from './live.ts';
import { createCameraMetrics, forgetCamera, type CameraMetrics } from './metrics.ts';
import type { LocalCameras } from '../../core/domain/local-cameras.ts';
import { CameraRegistry, REGISTRY_TOPIC } from '../../core/domain/camera-registry.ts';
import { SnapshotStore } from './snapshots.ts';
import { CameraSupervisor, type SampleWindow, type SupervisorSettings } from './supervisor.ts';

export const INGEST_GROUP = 'cameras-ingest';
/** Measurement of the per-camera samples in the time-series store. */
export const CAMERA_MEASUREMENT = 'camera_pipeline';

export interface CameraWorkerOptions {
  bus: Bus;
  http: HttpServer;
  /** Where the camera routes of this process find the snapshots this worker holds. */
  localCameras: LocalCameras;
  logger: Logger;
  registry: Registry;
  config: CamerasConfig;
  dataDir: string;
  instanceId: string;
  httpHost: string;
  timeseries?: TimeSeriesStore | null;
  /** Overrides for tests (shorter stall windows and backoff). */
  supervisor?: Partial<SupervisorSettings>;
}

interface Running {
  supervisor: CameraSupervisor;
  config: CameraConfig;
}

export class CameraWorker {
  readonly metrics: CameraMetrics;
  readonly store: SnapshotStore;
  readonly limiter: ProcessLimiter;
  readonly ffmpeg: FfmpegBinary;
  readonly live: LiveRestreams;
  private readonly running = new Map<string, Running>();
  private owned = new Set<number>();
  /** ffmpeg restarts per camera since this worker took it (sampled into the time-series store). */
  private readonly restarts = new Map<string, number>();
  private registry: CameraRegistry | null = null;
  private group: Consumer | null = null;
  private reconciling: Promise<void> = Promise.resolve();
  private stopped = false;
  private listeningUrl: string | null = null;
  /** Every ffmpeg pid this worker spawned (for tests and diagnostics). */
  readonly spawned: number[] = [];

  private readonly o: CameraWorkerOptions;

  constructor(o: CameraWorkerOptions) {
    this.o = o;
    this.ffmpeg = resolveFfmpeg(o.config.ffmpegPath);
    this.limiter = new ProcessLimiter(o.config.maxProcesses);
    this.metrics = createCameraMetrics(o.registry, this.limiter);
    this.store = new SnapshotStore(`${o.dataDir}/cameras`, o.config.retention);
    this.live = new LiveRestreams(
      {
        dir: this.liveDir,
        ffmpegPath: this.ffmpeg.path,
        statsPeriod: this.ffmpeg.statsPeriod,
        idleMs: o.config.live.idleMs,
        maxEncoders: o.config.live.maxEncoders,
        encodeWidth: o.config.live.encodeWidth,
        encodeFps: o.config.live.encodeFps,
        errorRetryMs: o.config.errorRetryMs,
        ...(o.supervisor?.restartBaseMs === undefined ? {} : { restartBaseMs: o.supervisor.restartBaseMs }),
      },
      {
        onSpawn: (pid) => {
          if (pid !== undefined) this.spawned.push(pid);
        },
        onChange: (restreams, encoders) => {
          this.metrics.liveRestreams.set(restreams);
          this.metrics.liveEncoders.set(encoders);
        },
        onRestart: (camera) => this.metrics.liveRestarts.inc({ camera }),
      },
      o.logger,
    );
  }

  /** Where live restreams write their segments (one directory per camera). */
  get liveDir(): string {
    return `${this.o.dataDir}/cameras-live`;
  }

  get source(): string {
    return `citystream/ingest/${this.o.instanceId}`;
  }

  /** The cameras this worker runs now. */
  runningCameras(): string[] {
    return [...this.running.keys()].sort();
  }

  async start(): Promise<void> {
    const { bus, logger } = this.o;
    logger.info({ ffmpeg: this.ffmpeg }, 'camera ingest: using ffmpeg');
    // Segments of an earlier process (killed before it could clean up) are nobody's.
    await rm(this.liveDir, { recursive: true, force: true });
    this.registerRoutes();
    this.o.localCameras.attach({
      snapshot: (id) => (this.running.has(id) ? this.store.get(id) : undefined),
      live: (id, file) => {
        const r = this.running.get(id);
        return r ? this.live.file(r.config, file) : undefined;
      },
    });
    this.registry = await CameraRegistry.open(bus, `cameras-ingest-${this.o.instanceId}`);
    this.registry.onChange(() => this.reconcile());
    this.group = await bus.consume({
      mode: 'group',
      groupId: INGEST_GROUP,
      topics: [REGISTRY_TOPIC],
      // The records themselves are read by the registry; this membership is for ownership.
      handler: async () => undefined,
      onAssignment: (assigned) => {
        this.owned = new Set(assigned.filter((a) => a.topic === REGISTRY_TOPIC).map((a) => a.partition));
        logger.info({ partitions: [...this.owned] }, 'camera ingest: registry partitions assigned');
        return this.reconcile();
      },
    });
  }

  /** Brings the running pipelines in line with (owned partitions × registry). Serialised. */
  reconcile(): Promise<void> {
    this.reconciling = this.reconciling
      .then(() => this.apply())
      .catch((err: unknown) => {
        this.o.logger.error({ err }, 'camera ingest: reconcile failed');
      });
    return this.reconciling;
  }

  private async apply(): Promise<void> {
    if (this.stopped || !this.registry) return;
    const wanted = new Map<string, CameraConfig>();
    for (const { config, partition } of this.registry.list())
      if (config.enabled && this.owned.has(partition)) wanted.set(config.id, config);
    const stops: Promise<void>[] = [];
    for (const [id, r] of this.running) {
      const next = wanted.get(id);
      if (next && JSON.stringify(next) === JSON.stringify(r.config)) continue;
      this.running.delete(id);
      const reason = !next
        ? this.registry.get(id)?.config.enabled === false
          ? 'camera disabled'
          : this.registry.get(id)
            ? 'camera moved to another ingest worker'
            : 'camera removed'
        : 'configuration changed';
      stops.push(this.stopCamera(r, reason));
    }
    await Promise.all(stops);
    for (const [id, config] of wanted) if (!this.running.has(id)) this.startCamera(config);
    this.metrics.owned.set(this.running.size);
  }

  private startCamera(config: CameraConfig): void {
    const { logger } = this.o;
    const settings: SupervisorSettings = {
      ffmpegPath: this.ffmpeg.path,
      statsPeriod: this.ffmpeg.statsPeriod,
      maxWidth: this.o.config.maxWidth,
      stallIntervals: this.o.config.stallIntervals,
      errorRetryMs: this.o.config.errorRetryMs,
      ...this.o.supervisor,
    };
    const camera = config.id;
    const supervisor = new CameraSupervisor(
      config,
      this.limiter,
      settings,
      {
        onFrame: (jpeg) => void this.onFrame(config, jpeg),
        onStatus: (status, reason) => {
          this.metrics.online.set({ camera }, status === 'online' ? 1 : 0);
          if (status !== 'online') this.metrics.uptime.set({ camera }, 0);
          void this.publishStatus(config, status, reason);
        },
        onRestart: () => {
          this.metrics.restarts.inc({ camera });
          this.restarts.set(camera, (this.restarts.get(camera) ?? 0) + 1);
        },
        onSample: (s) => {
          if (s.cpuSecondsPerSnapshot !== null)
            this.metrics.decodeSeconds.set({ camera }, s.cpuSecondsPerSnapshot);
          if (s.inputBitsPerSecond !== null) this.metrics.inputBitrate.set({ camera }, s.inputBitsPerSecond);
          this.metrics.uptime.set({ camera }, s.uptimeSeconds);
          void this.writeSample(config, s);
        },
        onSpawn: (pid) => {
          if (pid !== undefined) this.spawned.push(pid);
        },
      },
      logger.child({ camera }),
    );
    this.running.set(camera, { supervisor, config });
    supervisor.start();
  }

  /** Kills the camera's ffmpeg; its `offline` goes out before a new owner can start it (the
   * partition is only reassigned after this worker's revocation completes). */
  private async stopCamera(r: Running, reason: string): Promise<void> {
    await Promise.all([r.supervisor.stop(reason), this.live.stopCamera(r.config.id, reason)]);
    this.store.drop(r.config.id);
    forgetCamera(this.metrics, r.config.id);
  }

  private async onFrame(config: CameraConfig, jpeg: Buffer): Promise<void> {
    const camera = config.id;
    try {
      const snap = await this.store.put(camera, jpeg);
      this.metrics.frames.inc({ camera });
      this.metrics.snapshotBytes.set({ camera }, jpeg.length);
      const data: CameraSnapshot = {
        cameraId: camera,
        city: config.city,
        time: snap.time.toISOString(),
        url: `${this.baseUrl()}/v1/cameras/${encodeURIComponent(camera)}/snapshots/${snap.name}`,
        width: snap.width,
        height: snap.height,
        bytes: jpeg.length,
        etag: snap.etag,
        sequence: snap.sequence,
        worker: this.o.instanceId,
      };
      const event = makeEvent({
        type: EVENT_TYPES.cameraSnapshot,
        source: this.source,
        subject: camera,
        data,
      });
      // Checked in place (the event is new and ours alone), so the bus does not copy it to check it.
      const checked = validateOwnEvent(TOPICS.cameraSnapshots, event);
      if (!checked.ok) throw new Error(`snapshot event would be invalid: ${checked.reason}`);
      await this.o.bus.publish(TOPICS.cameraSnapshots.name, [
        { key: camera, event: checked.event as typeof event },
      ]);
    } catch (err) {
      this.o.logger.warn({ err, camera }, 'camera snapshot not stored or not announced');
    }
  }

  private async publishStatus(config: CameraConfig, status: CameraStatus['status'], reason?: string) {
    const data: CameraStatus = {
      cameraId: config.id,
      city: config.city,
      status,
      // Status events reach public channels: ffmpeg quotes the source URL, credentials and all.
      ...(reason === undefined ? {} : { reason: maskUrlCredentials(reason).slice(0, 2000) }),
      since: new Date().toISOString(),
      worker: this.o.instanceId,
    };
    this.o.logger.info({ camera: config.id, status, reason: data.reason }, 'camera status');
    try {
      await this.o.bus.publish(TOPICS.cameraStatus.name, [
        {
          key: config.id,
          event: makeEvent({ type: EVENT_TYPES.cameraStatus, source: this.source, subject: config.id, data }),
        },
      ]);
    } catch (err) {
      this.o.logger.warn({ err, camera: config.id }, 'camera status not published');
    }
  }

  private async writeSample(config: CameraConfig, s: SampleWindow): Promise<void> {
    const ts = this.o.timeseries;
    if (!ts) return;
    const fields: Point['fields'] = {
      uptimeSeconds: s.uptimeSeconds,
      snapshots: s.snapshots,
      restarts: this.restarts.get(config.id) ?? 0,
    };
    if (s.cpuSecondsPerSnapshot !== null) fields.decodeSeconds = s.cpuSecondsPerSnapshot;
    if (s.inputBitsPerSecond !== null) fields.inputBitrate = s.inputBitsPerSecond;
    const snap = this.store.get(config.id);
    if (snap) fields.snapshotBytes = snap.jpeg.length;
    try {
      await ts.write([
        {
          measurement: CAMERA_MEASUREMENT,
          tags: { cameraId: config.id, city: config.city },
          fields,
          time: new Date(),
        },
      ]);
    } catch (err) {
      this.o.logger.warn({ err, camera: config.id }, 'camera metrics not written to the time-series store');
    }
  }

  /** Base URL under which other processes reach this worker's snapshot files. */
  baseUrl(): string {
    if (this.o.config.advertisedUrl) return this.o.config.advertisedUrl;
    // Kept once the server listens: asking for the address and host name is two system calls,
    // and the URL goes into every snapshot event.
    if (this.listeningUrl) return this.listeningUrl;
    const address = this.o.http.server.address() as AddressInfo | null;
    const port = address?.port ?? 0;
    const host = ['0.0.0.0', '::', ''].includes(this.o.httpHost) ? hostname() : this.o.httpHost;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    if (port !== 0) this.listeningUrl = url;
    return url;
  }

  /** Immutable retained snapshots, linked from the snapshot events. */
  private registerRoutes(): void {
    this.registerLiveRoute();
    this.o.http.get(
      '/v1/cameras/:id/snapshots/:name',
      {
        schema: {
          tags: ['cameras'],
          summary:
            'A retained snapshot of a camera run by this ingest worker (the URL in camera.snapshots.v1)',
          params: z.object({ id: z.string(), name: z.string() }),
        },
        // Linked from camera.snapshots.v1; served like the public snapshot it proxies for.
        config: { auth: 'public' },
      },
      async (request, reply) => {
        const { id, name } = request.params;
        const jpeg = await this.store.file(id, name);
        if (!jpeg) throw notFound(`snapshot ${name} of camera ${id} is not retained by this worker`);
        return reply
          .header('Cache-Control', 'public, max-age=31536000, immutable')
          .type('image/jpeg')
          .send(jpeg);
      },
    );
  }

  /** The live restream files of the cameras this worker runs; the api role proxies them. */
  private registerLiveRoute(): void {
    this.o.http.get(
      '/v1/cameras/:id/restream/:file',
      {
        schema: {
          tags: ['cameras'],
          summary:
            'A live restream file (index.m3u8 or a segment) of a camera run by this ingest worker; the api role proxies /v1/cameras/{id}/live.m3u8 here. 404: this worker does not run the camera, or the segment rolled off; 503: the restream is not playing (reason in detail).',
          params: z.object({ id: z.string().max(64), file: z.string().max(40) }),
        },
        config: {
          auth: 'public',
          // Every viewer's requests reach the owner from the few api processes proxying them:
          // counted per client IP here, they would exhaust the api's allowance at once.
          rateLimit: false,
          responses: {
            200: 'the playlist (application/vnd.apple.mpegurl) or a segment (video/mp2t)',
            503: 'the restream is not playing yet or failed; see Retry-After',
          },
        },
      },
      async (request, reply) => {
        const { id, file } = request.params;
        const r = this.running.get(id);
        if (!r) throw notFound(`camera ${id} is not run by this ingest worker`);
        try {
          const found = await this.live.file(r.config, file);
          if (!found) throw notFound(`live file ${file} of camera ${id} is not there (rolled off?)`);
          return reply.header('Cache-Control', found.cacheControl).type(found.contentType).send(found.body);
        } catch (err) {
          if (err instanceof HttpProblem && typeof err.extensions.retryAfterSeconds === 'number')
            reply.header('Retry-After', String(err.extensions.retryAfterSeconds));
          throw err;
        }
      },
    );
  }

  /** Leaves the group, kills every ffmpeg and waits for them to exit. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.group?.stop();
    await this.reconciling;
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all([...all.map((r) => this.stopCamera(r, 'ingest worker stopped')), this.live.stop()]);
    await this.registry?.close();
    this.o.localCameras.attach(null);
  }
}
