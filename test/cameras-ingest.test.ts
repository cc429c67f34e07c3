// Camera ingestion end to end in one hub (ingest + api roles, embedded bus), with real ffmpeg
// against real local streams made by ffmpeg: HLS over HTTP, multipart MJPEG over HTTP, RTSP and
// a JPEG snapshot endpoint, plus an unreachable URL and a URL serving garbage.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../core/auth/index.ts';
import { loadConfig } from '../core/config/index.ts';
import type { CameraSnapshot, CameraStatus } from '../core/events/cameras.ts';
import { createLogger } from '../core/observability/index.ts';
import { Hub } from '../app/hub.ts';
import { jpegSize } from '../modules/cameras/jpeg.ts';
import {
  garbageSource,
  hlsSource,
  jpegSource,
  mjpegSource,
  pipelineChildren,
  rtspSource,
  type Source,
} from './support/camera-sources.ts';
import { hubDatabase, type HubDatabase } from './support/postgres.ts';
import { waitFor } from './support/wait.ts';

const MAX_PROCESSES = 5;
const SECRET = 'cameras-test-secret-0123456789abcdef';

const camera = (id: string, url: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `test ${id}`,
  city: 'shenzhen',
  lat: 22.54,
  lon: 114.06,
  url,
  snapshotIntervalSeconds: 1,
  maxWidth: 320,
  ...extra,
});

describe('camera ingestion with real ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cameras-'));
  let hub: Hub;
  let db: HubDatabase | undefined;
  let base: string;
  let mjpeg: Awaited<ReturnType<typeof mjpegSource>>;
  const sources: Source[] = [];
  const statuses: CameraStatus[] = [];
  const snapshots: CameraSnapshot[] = [];
  let maxChildren = 0;
  let sampler: NodeJS.Timeout;

  beforeAll(async () => {
    const hls = await hlsSource(join(dir, 'hls'));
    mjpeg = await mjpegSource();
    const jpeg = await jpegSource(join(dir, 'jpeg'));
    const rtsp = await rtspSource();
    const garbage = await garbageSource();
    sources.push(hls, mjpeg, jpeg, rtsp, garbage);
    const file = join(dir, 'cameras.json');
    writeFileSync(
      file,
      JSON.stringify([
        camera('T-HLS', hls.url),
        camera('T-MJPEG', mjpeg.url),
        camera('T-JPEG', jpeg.url),
        camera('T-RTSP', rtsp.url),
        camera('T-REFUSED', 'http://127.0.0.1:1/live.m3u8'),
        camera('T-GARBAGE', garbage.url),
      ]),
    );
    sampler = setInterval(() => (maxChildren = Math.max(maxChildren, pipelineChildren().length)), 50);
    db = await hubDatabase();
    hub = await Hub.start(
      loadConfig({
        ...db.env,
        CITYSTREAM_ROLES: 'ingest,api',
        CITYSTREAM_HTTP_PORT: '0',
        CITYSTREAM_HTTP_HOST: '127.0.0.1',
        CITYSTREAM_DATA_DIR: join(dir, 'data'),
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_JWT_SECRET: SECRET,
        CITYSTREAM_CAMERAS_FILE: file,
        CITYSTREAM_CAMERAS_MAX_PROCESSES: String(MAX_PROCESSES),
        CITYSTREAM_CAMERAS_ERROR_RETRY_SECONDS: '4',
        CITYSTREAM_CAMERAS_STALL_INTERVALS: '3',
      }),
      { logger: createLogger('error') },
    );
    base = `http://127.0.0.1:${hub.port}`;
    await hub.ctx.bus.consume({
      mode: 'broadcast',
      groupId: 'test-camera-events',
      topics: ['camera.status.v1', 'camera.snapshots.v1'],
      handler: async (batch) => {
        for (const d of batch.deliveries) {
          if (batch.topic === 'camera.status.v1') statuses.push(d.event!.data as CameraStatus);
          else snapshots.push(d.event!.data as CameraSnapshot);
        }
      },
    });
  }, 60_000);

  afterAll(async () => {
    clearInterval(sampler);
    await hub?.stop();
    await db?.drop();
    await Promise.all(sources.map((s) => s.stop()));
  });

  const statusOf = (id: string) => statuses.filter((s) => s.cameraId === id).at(-1)?.status;

  it('turns HLS, MJPEG, RTSP and JPEG polling into fresh JPEGs scaled to the width limit', async () => {
    const good = ['T-HLS', 'T-MJPEG', 'T-JPEG', 'T-RTSP'];
    await waitFor(
      () => good.every((id) => snapshots.filter((s) => s.cameraId === id).length >= 3),
      'three snapshots from every protocol',
      30_000,
    );
    for (const id of good) {
      expect(statusOf(id)).toBe('online');
      const mine = snapshots.filter((s) => s.cameraId === id);
      const last = mine.at(-1)!;
      expect(last.city).toBe('shenzhen');
      // The URL in the event serves the JPEG itself; decode its header.
      const res = await fetch(last.url);
      expect(res.status).toBe(200);
      const jpeg = Buffer.from(await res.arrayBuffer());
      const size = jpegSize(jpeg);
      expect(size, id).toEqual({ width: 320, height: id === 'T-JPEG' ? 240 : 180 });
      expect({ width: last.width, height: last.height }).toEqual(size);
      // Fresh: made within the last few seconds, and the picture changes between snapshots.
      expect(Date.now() - Date.parse(last.time), id).toBeLessThan(5_000);
      expect(new Set(mine.map((s) => s.etag)).size, id).toBeGreaterThan(1);
      // About one per interval (1 s), not one per source frame.
      const span = (Date.parse(last.time) - Date.parse(mine[0]!.time)) / 1000;
      expect(mine.length / span, id).toBeLessThan(2);
    }
  });

  it('serves the latest snapshot with ETag and Cache-Control; 404 unknown, 503 not available', async () => {
    const res = await fetch(`${base}/v1/cameras/T-HLS/snapshot.jpg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const etag = res.headers.get('etag')!;
    expect(jpegSize(Buffer.from(await res.arrayBuffer()))).toEqual({ width: 320, height: 180 });
    const again = await fetch(`${base}/v1/cameras/T-HLS/snapshot.jpg`, {
      headers: { 'If-None-Match': etag },
    });
    expect([200, 304]).toContain(again.status); // 200 only if a new snapshot arrived meanwhile
    if (again.status === 200) expect(again.headers.get('etag')).not.toBe(etag);

    const unknown = await fetch(`${base}/v1/cameras/NOPE/snapshot.jpg`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);

    await waitFor(() => statusOf('T-REFUSED') === 'error', 'T-REFUSED in error');
    const broken = await fetch(`${base}/v1/cameras/T-REFUSED/snapshot.jpg`);
    expect(broken.status).toBe(503);
    expect(broken.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await broken.json()) as { detail: string }).detail).toMatch(/T-REFUSED is error: .*refused/i);

    const list = (await (await fetch(`${base}/v1/cameras?city=shenzhen`)).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((c) => c.id)).toContain('T-GARBAGE');
    expect(((await (await fetch(`${base}/v1/cameras?city=foshan`)).json()) as { items: [] }).items).toEqual(
      [],
    );
    const one = (await (await fetch(`${base}/v1/cameras/T-MJPEG`)).json()) as {
      protocol: string;
      status: { status: string };
    };
    expect(one).toMatchObject({ protocol: 'mjpeg', status: { status: 'online' } });
  });

  it('settles unreachable and garbage sources in error with ffmpeg’s reason, without a hot loop', async () => {
    await waitFor(() => statusOf('T-GARBAGE') === 'error', 'T-GARBAGE in error');
    const reason = (id: string) => statuses.filter((s) => s.cameraId === id).at(-1)!.reason!;
    expect(reason('T-REFUSED')).toMatch(/Connection refused/i);
    expect(reason('T-GARBAGE')).toMatch(/Invalid data|could not find codec|not find|unknown/i);
    const metric = async (id: string) => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(
        new RegExp(`citystream_camera_restarts_total\\{camera="${id}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
      );
    };
    const before = await metric('T-REFUSED');
    await new Promise((r) => setTimeout(r, 6_000));
    // One attempt per ~4 s (error retry, with jitter), not a restart per failure.
    expect((await metric('T-REFUSED')) - before).toBeLessThanOrEqual(2);
    expect(maxChildren).toBeGreaterThan(0);
    expect(maxChildren).toBeLessThanOrEqual(MAX_PROCESSES);
  });

  it('reports stalled when the source dies mid-stream and online again once it is back', async () => {
    const seen = statuses.length;
    await mjpeg.kill();
    await waitFor(
      () => statuses.slice(seen).some((s) => s.cameraId === 'T-MJPEG' && s.status === 'stalled'),
      'T-MJPEG stalled',
      15_000,
    );
    const stalledAt = snapshots.length;
    await mjpeg.start();
    await waitFor(
      () => statuses.slice(seen).some((s) => s.cameraId === 'T-MJPEG' && s.status === 'online'),
      'T-MJPEG online again',
      20_000,
    );
    await waitFor(
      () => snapshots.slice(stalledAt).some((s) => s.cameraId === 'T-MJPEG'),
      'T-MJPEG snapshots resume',
    );
    expect(statusOf('T-MJPEG')).toBe('online');
  });

  it('registers a camera by POST (staff only) and runs it', async () => {
    const body = JSON.stringify(camera('T-POSTED', sources[2]!.url));
    const anonymous = await fetch(`${base}/v1/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(anonymous.status).toBe(401);
    const staff = await mintToken(SECRET, { sub: 'op', role: 'staff' });
    const bad = await fetch(`${base}/v1/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
      body: JSON.stringify({ ...camera('T-BAD', 'ftp://x/y'), city: 'atlantis' }),
    });
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['city', 'url']);
    const created = await fetch(`${base}/v1/cameras`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${staff}` },
      body,
    });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ id: 'T-POSTED', protocol: 'jpeg' });
    await waitFor(
      () => snapshots.some((s) => s.cameraId === 'T-POSTED'),
      'a snapshot from the posted camera',
    );
  });

  it('exposes pipeline metrics on /metrics and stores them in the time-series store', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const value = (name: string) =>
      Number(new RegExp(`^${name}\\{camera="T-HLS"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('citystream_camera_snapshots_total')).toBeGreaterThan(3);
    expect(value('citystream_camera_snapshot_bytes')).toBeGreaterThan(1_000);
    expect(value('citystream_camera_input_bitrate_bps')).toBeGreaterThan(10_000);
    expect(value('citystream_camera_decode_seconds')).toBeGreaterThan(0);
    expect(value('citystream_camera_uptime_seconds')).toBeGreaterThan(5);
    expect(text).toMatch(/^citystream_camera_ffmpeg_processes [1-5]$/m);

    type Points = { points: { time: string; inputBitrate?: number; decodeSeconds?: number }[] };
    const stored = await waitFor(async () => {
      const r = (await (await fetch(`${base}/v1/cameras/T-HLS/metrics`)).json()) as Points;
      return r.points.some((p) => (p.inputBitrate ?? 0) > 0 && (p.decodeSeconds ?? 0) > 0) ? r : null;
    }, 'stored samples with bitrate and decode time');
    expect(Date.now() - Date.parse(stored.points.at(-1)!.time)).toBeLessThan(15_000);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await fetch(`${base}/v1/cameras/T-HLS/metrics?from=${future}`)).status).toBe(400);
    expect((await fetch(`${base}/v1/cameras/NOPE/metrics`)).status).toBe(404);
  });

  it('leaves no ffmpeg pipeline behind after stop', async () => {
    expect(pipelineChildren().length).toBeGreaterThan(0);
    await hub.stop();
    expect(pipelineChildren()).toEqual([]);
  });
});
