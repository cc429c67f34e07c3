// Cameras API (docs/architecture.md, "HTTP API"): list, register or replace and delete (staff, each
// recorded in the audit log), one camera with its status, its latest snapshot, and its pipeline
// metrics.
//
// snapshot.jpg: the api process may not be the ingest worker running the camera. When it is,
// the JPEG comes from that worker's memory; otherwise the API proxies the URL of the latest
// camera.snapshots.v1 event (the owning worker's retained file). Proxying, not redirecting,
// keeps clients on one public origin and keeps worker addresses internal; a conditional request
// whose ETag matches the latest event is answered 304 without fetching anything.
import type { FastifyReply } from 'fastify';
import { caller, type HttpServer } from '../../core/http/index.ts';
import { Invalid, NotFound } from '../../core/errors.ts';
import { sleep } from '../../core/retry.ts';
import { z } from 'zod';
import type { Principal } from '../../core/auth/index.ts';
import { cityId } from '../../core/events/air.ts';
import {
  cameraId,
  cameraInputObject,
  inferProtocol,
  maskUrlCredentials,
  type CameraConfig,
  type CameraSnapshot,
} from '../../core/events/cameras.ts';
import { HttpProblem } from '../../core/http/problem.ts';
import type { Component } from '../../core/runtime/context.ts';
import { registerCameras, unregisterCamera } from '../../core/domain/camera-registry.ts';
import { recordAudit } from '../audit/index.ts';
import { CAMERA_MEASUREMENT } from './worker.ts';
import { isoDateTime } from '../../core/module/common.ts';
import { CameraViews } from './views.ts';
import { cameraList, cameraView } from './schemas.ts';
import { PLAYLIST_NAME, SEGMENT_NAME } from './restream-command.ts';
import { ownerBaseUrl } from './owner.ts';

const idParams = z.object({ id: cameraId });
const segmentParams = z.object({
  id: cameraId,
  segment: z.string().regex(SEGMENT_NAME, { error: 'expected a segment name such as 1796195830.ts' }),
});
const PROXY_TIMEOUT_MS = 5_000;
/** The owner may be starting the restream (it waits up to 10 s for the first segment). */
const LIVE_PROXY_TIMEOUT_MS = 12_000;

const unavailable = (detail: string, retryAfterSeconds: number) =>
  new HttpProblem(503, 'Service Unavailable', detail, { retryAfterSeconds });

const startCamerasApi: Component = async (ctx) => {
  const { bus, config } = ctx;
  const db = await ctx.db();
  const views = await CameraViews.open(bus, `cameras-api-${config.instanceId}`);
  /** A camera as the audit log keeps it: the source URL's password masked. */
  const audited = (c: CameraConfig) => ({ ...c, url: maskUrlCredentials(c.url, true) });
  /** Waits (at most 5 s) until this process's registry view satisfies `done`: read our own write. */
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5_000;
    while (!done() && Date.now() < deadline) await sleep(20);
  };

  /**
   * A camera as the caller may see it: staff get the source URL with its password masked,
   * everyone else no source URL at all (they watch through snapshotUrl).
   */
  const describe = (c: CameraConfig, viewer: Principal | null) => {
    const status = views.status.get(c.id);
    const snap = views.snapshots.get(c.id);
    const { url, ...rest } = c;
    const staff = viewer?.role === 'staff';
    return {
      ...rest,
      ...(staff ? { url: maskUrlCredentials(url, true) } : {}),
      status: status
        ? {
            status: status.status,
            ...(status.reason ? { reason: maskUrlCredentials(status.reason, staff) } : {}),
            since: status.since,
            worker: status.worker,
          }
        : null,
      latestSnapshot: snap
        ? { time: snap.time, width: snap.width, height: snap.height, bytes: snap.bytes, etag: snap.etag }
        : null,
      snapshotUrl: `/v1/cameras/${encodeURIComponent(c.id)}/snapshot.jpg`,
    };
  };

  // Every camera route of the api role is one plugin under /v1 (paths below are relative to it).
  await ctx.http.register(
    async (http: HttpServer) => {
      http.get(
        '/cameras',
        {
          schema: {
            tags: ['cameras'],
            summary: 'Traffic cameras, optionally of one city, with their current status',
            querystring: z.object({ city: cityId.optional() }),
            response: { 200: cameraList },
          },
          config: { auth: 'public' },
        },
        async (request) => ({
          items: views.registry
            .list()
            .map((r) => r.config)
            .filter((c) => !request.query.city || c.city === request.query.city)
            .sort((a, b) => a.id.localeCompare(b.id))
            .map((c) => describe(c, request.principal)),
        }),
      );

      http.post(
        '/cameras',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'Register or replace a camera (staff). `protocol` is inferred from the URL when omitted.',
            security: [{ bearerAuth: [] }],
            body: cameraInputObject,
            response: { 200: cameraView, 201: cameraView },
          },
          config: { auth: 'staff', responses: { 200: 'replaced', 201: 'registered' } },
        },
        async (request, reply) => {
          const staff = caller(request);
          const existing = views.registry.get(request.body.id)?.config;
          // Staff read the URL with its password masked; sending that back (an edit that left
          // the URL alone, or a disable) keeps the stored password instead of storing "***".
          const url =
            existing && request.body.url === maskUrlCredentials(existing.url, true)
              ? existing.url
              : request.body.url;
          const camera: CameraConfig = {
            ...request.body,
            url,
            protocol: request.body.protocol ?? inferProtocol(url),
          };
          await registerCameras(bus, `citystream/api/${config.instanceId}`, [camera]);
          // The registry is a Kafka topic, not a table: the audit line follows the write.
          await recordAudit(db, {
            actor: staff.sub,
            action: existing ? 'camera.replace' : 'camera.register',
            target: `camera/${camera.id}`,
            ...(existing ? { before: audited(existing) } : {}),
            after: audited(camera),
          });
          // Read our own write, so an immediate GET shows the camera.
          await until(() => JSON.stringify(views.registry.get(camera.id)?.config) === JSON.stringify(camera));
          return reply
            .code(existing ? 200 : 201)
            .header('Location', `/v1/cameras/${encodeURIComponent(camera.id)}`)
            .send(describe(camera, request.principal));
        },
      );

      const cameraOr404 = (id: string): CameraConfig => {
        const c = views.registry.get(id)?.config;
        if (!c) throw new NotFound(`no camera ${id}`);
        return c;
      };

      http.delete(
        '/cameras/:id',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'Remove a camera from the registry (staff): its ingest worker stops its pipelines. A camera of CITYSTREAM_CAMERAS_FILE comes back when an ingest process next starts.',
            security: [{ bearerAuth: [] }],
            params: idParams,
            response: { 204: z.null().describe('removed') },
          },
          config: { auth: 'staff', responses: { 404: 'no such camera' } },
        },
        async (request, reply) => {
          const staff = caller(request);
          const existing = cameraOr404(request.params.id);
          await unregisterCamera(bus, existing.id);
          await recordAudit(db, {
            actor: staff.sub,
            action: 'camera.delete',
            target: `camera/${existing.id}`,
            before: audited(existing),
          });
          // Read our own write, so an immediate GET answers 404.
          await until(() => !views.registry.get(existing.id));
          return reply.code(204).send(null);
        },
      );

      http.get(
        '/cameras/:id',
        {
          schema: {
            tags: ['cameras'],
            summary: 'One camera with its status',
            params: idParams,
            response: { 200: cameraView },
          },
          config: { auth: 'public' },
        },
        async (request) => describe(cameraOr404(request.params.id), request.principal),
      );

      http.get(
        '/cameras/:id/snapshot.jpg',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'Latest JPEG snapshot (ETag; 304 on If-None-Match). 404: no such camera; 503: no snapshot yet, or the camera is offline or in error.',
            params: idParams,
          },
          config: {
            auth: 'public',
            responses: {
              304: 'not modified (If-None-Match)',
              503: 'no snapshot yet, or the camera is offline, disabled or in error; see Retry-After',
            },
          },
        },
        async (request, reply) => {
          const camera = cameraOr404(request.params.id);
          const retry = Math.max(1, Math.ceil(camera.snapshotIntervalSeconds));
          const status = views.status.get(camera.id);
          if (!camera.enabled) throw unavailable(`camera ${camera.id} is disabled`, 60);
          if (status && (status.status === 'offline' || status.status === 'error')) {
            reply.header('Retry-After', String(retry * 5));
            throw unavailable(
              `camera ${camera.id} is ${status.status}${status.reason ? `: ${status.reason}` : ''}`,
              retry * 5,
            );
          }
          const cacheHeaders = (etag: string, time: Date) =>
            reply
              .header('ETag', etag)
              .header('Last-Modified', time.toUTCString())
              // Revalidate every time: the snapshot changes each interval, and a 304 is cheap.
              .header('Cache-Control', 'no-cache');
          const notModified = (etag: string) =>
            request.headers['if-none-match']?.split(/\s*,\s*/).includes(etag);

          const local = ctx.localCameras.snapshot(camera.id);
          if (local) {
            cacheHeaders(local.etag, local.time);
            if (notModified(local.etag)) return reply.code(304).send();
            return reply.type('image/jpeg').send(local.jpeg);
          }
          const meta: CameraSnapshot | undefined = views.snapshots.get(camera.id);
          if (!meta) {
            reply.header('Retry-After', String(retry));
            throw unavailable(`camera ${camera.id} has no snapshot yet`, retry);
          }
          cacheHeaders(meta.etag, new Date(meta.time));
          if (notModified(meta.etag)) return reply.code(304).send();
          const res = await fetch(meta.url, { signal: AbortSignal.timeout(PROXY_TIMEOUT_MS) }).catch(
            () => null,
          );
          if (!res?.ok) {
            reply.header('Retry-After', String(retry));
            throw unavailable(
              `the ingest worker holding camera ${camera.id}'s snapshot did not serve it`,
              retry,
            );
          }
          return reply.type('image/jpeg').send(Buffer.from(await res.arrayBuffer()));
        },
      );

      /**
       * A live restream file from the camera's owner: this process's worker when it runs the
       * camera, else proxied from the owner's advertised URL (learnt from its snapshot events).
       */
      const liveFile = async (camera: CameraConfig, file: string, reply: FastifyReply) => {
        const problem = (p: HttpProblem) => {
          const retry = p.extensions.retryAfterSeconds;
          if (typeof retry === 'number') reply.header('Retry-After', String(retry));
          return p;
        };
        if (!camera.enabled) throw problem(unavailable(`camera ${camera.id} is disabled`, 60));
        const status = views.status.get(camera.id);
        if (status?.status === 'offline' || status?.status === 'error')
          throw problem(unavailable(`camera ${camera.id} is ${status.status}`, 10));
        let local;
        try {
          local = ctx.localCameras.live(camera.id, file);
          if (local) {
            const found = await local;
            if (!found) throw new NotFound(`live segment ${file} of camera ${camera.id} rolled off`);
            return reply.header('Cache-Control', found.cacheControl).type(found.contentType).send(found.body);
          }
        } catch (err) {
          throw err instanceof HttpProblem ? problem(err) : err;
        }
        const base = ownerBaseUrl(camera.id, status, views.snapshots.get(camera.id));
        if (!base) throw problem(unavailable(`no ingest worker is running camera ${camera.id} yet`, 2));
        const url = `${base}/v1/cameras/${encodeURIComponent(camera.id)}/restream/${file}`;
        const res = await fetch(url, { signal: AbortSignal.timeout(LIVE_PROXY_TIMEOUT_MS) }).catch(
          () => null,
        );
        if (res?.status === 404 && file !== PLAYLIST_NAME)
          throw new NotFound(`live segment ${file} of camera ${camera.id} rolled off`);
        if (!res?.ok) {
          const detail = res
            ? ((await res.json().catch(() => null)) as { detail?: string } | null)?.detail
            : undefined;
          throw problem(
            unavailable(detail ?? `the ingest worker running camera ${camera.id} did not answer`, 2),
          );
        }
        return reply
          .header('Cache-Control', res.headers.get('cache-control') ?? 'no-cache')
          .type(res.headers.get('content-type') ?? 'application/octet-stream')
          .send(Buffer.from(await res.arrayBuffer()));
      };

      http.get(
        '/cameras/:id/live.m3u8',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'Live HLS playlist of the camera, restreamed on demand by its ingest worker (see docs/cameras.md). The first request starts the restream and waits for its first segment. 404: no such camera; 503: the restream cannot play (reason in detail; Retry-After).',
            params: idParams,
          },
          config: {
            auth: 'public',
            responses: {
              200: 'the rolling playlist (application/vnd.apple.mpegurl, Cache-Control: no-cache)',
              503: 'the camera is disabled, offline or in error, its restream failed or is not playing yet, or the live encoders are busy; see Retry-After',
            },
          },
        },
        async (request, reply) => liveFile(cameraOr404(request.params.id), PLAYLIST_NAME, reply),
      );

      http.get(
        '/cameras/:id/live/:segment',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'A segment of the live playlist (video/mp2t, immutable). 404: no such camera, or the segment rolled off the playlist.',
            params: segmentParams,
          },
          config: {
            auth: 'public',
            responses: {
              200: 'an MPEG-TS segment (video/mp2t, Cache-Control: immutable)',
              503: 'the camera is disabled, offline or in error, or its worker did not answer; see Retry-After',
            },
          },
        },
        async (request, reply) => liveFile(cameraOr404(request.params.id), request.params.segment, reply),
      );

      const store = await ctx.timeseries();
      const sample = z.object({
        time: z.iso.datetime(),
        decodeSeconds: z.number().optional(),
        inputBitrate: z.number().optional(),
        snapshotBytes: z.number().optional(),
        snapshots: z.number().optional().describe('snapshots produced over the sample window'),
        restarts: z.number().optional().describe('ffmpeg restarts since the worker took the camera'),
        uptimeSeconds: z.number().optional(),
      });
      http.get(
        '/cameras/:id/metrics',
        {
          schema: {
            tags: ['cameras'],
            summary:
              'Pipeline samples in [from, to): ffmpeg CPU seconds per snapshot, input bitrate (bit/s), snapshot bytes, uptime, snapshots per window, restarts',
            params: idParams,
            querystring: z.object({
              from: isoDateTime.optional().describe('inclusive; default 1 h before `to`'),
              to: isoDateTime.optional().describe('exclusive; default now'),
            }),
            response: {
              200: z.object({
                cameraId: z.string(),
                from: z.iso.datetime(),
                to: z.iso.datetime(),
                points: z.array(sample),
              }),
            },
          },
          config: { auth: 'public' },
        },
        async (request) => {
          const camera = cameraOr404(request.params.id);
          const to = request.query.to ? new Date(request.query.to) : new Date();
          const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 3_600_000);
          if (from >= to)
            throw new Invalid('from must be before to', [
              { in: 'querystring', field: 'from', message: 'must be before to' },
            ]);
          if (to.getTime() - from.getTime() > 7 * 86_400_000)
            throw new Invalid('at most 7 days per request', [
              { in: 'querystring', field: 'from', message: 'range longer than 7 days' },
            ]);
          const rows = await store.range({
            measurement: CAMERA_MEASUREMENT,
            tags: { cameraId: camera.id },
            from,
            to,
          });
          return {
            cameraId: camera.id,
            from: from.toISOString(),
            to: to.toISOString(),
            points: rows.map((r) => ({ time: r.time.toISOString(), ...r.fields })),
          };
        },
      );
    },
    { prefix: '/v1' },
  );

  return { stop: () => views.close() };
};
export default startCamerasApi;
