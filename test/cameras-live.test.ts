// Live restreams end to end in one hub (ingest + api roles), with real ffmpeg sources: HLS and
// RTSP H.264 (copied, no encoder) and multipart MJPEG (encoded). The playlist appears within
// 5 s of the first request, segments decode (ffprobe), the copy path runs no encoder, the
// encoder limit answers 503, and the restream stops after the idle time with no ffmpeg left.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config/index.ts';
import { createLogger } from '../core/observability/index.ts';
import { Hub } from '../app/hub.ts';
import { hlsSource, mjpegSource, rtspSource, type Source } from './support/camera-sources.ts';
import { hubDatabase, type HubDatabase } from './support/postgres.ts';
import { waitFor } from './support/wait.ts';

// Long enough that one camera's restream outlives the start of the next on a busy machine.
const IDLE_SECONDS = 10;

const camera = (id: string, url: string) => ({
  id,
  name: `live ${id}`,
  city: 'shenzhen',
  lat: 22.54,
  lon: 114.06,
  url,
  snapshotIntervalSeconds: 1,
  maxWidth: 320,
});

/** Live restream ffmpeg processes writing under `dir`, whoever their parent is. */
export function restreamProcesses(dir: string): { pid: number; args: string[] }[] {
  const out: { pid: number; args: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.some((a) => a.startsWith(dir) && a.endsWith('index.m3u8')) && args.includes('hls'))
        out.push({ pid: Number(entry), args });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Probe {
  streams: { codec_name: string; width: number; height: number }[];
  format: { duration: string };
}

function ffprobe(file: string): Probe {
  const r = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Probe;
}

describe('live HLS restreams with real ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cameras-live-'));
  const liveDir = join(dir, 'data', 'cameras-live');
  let hub: Hub;
  let db: HubDatabase | undefined;
  let base: string;
  const sources: Source[] = [];

  beforeAll(async () => {
    const hls = await hlsSource(join(dir, 'hls'), { segmentSeconds: 1, gopSeconds: 1 });
    const rtsp = await rtspSource();
    const mjpeg = await mjpegSource({ fps: 5 });
    sources.push(hls, rtsp, mjpeg);
    const file = join(dir, 'cameras.json');
    writeFileSync(
      file,
      JSON.stringify([
        camera('L-HLS', hls.url),
        camera('L-RTSP', rtsp.url),
        camera('L-MJPEG', mjpeg.url),
        camera('L-MJPEG-2', mjpeg.url),
      ]),
    );
    db = await hubDatabase();
    hub = await Hub.start(
      loadConfig({
        ...db.env,
        CITYSTREAM_ROLES: 'ingest,api',
        CITYSTREAM_HTTP_PORT: '0',
        CITYSTREAM_HTTP_HOST: '127.0.0.1',
        CITYSTREAM_DATA_DIR: join(dir, 'data'),
        CITYSTREAM_DEMO: '0',
        CITYSTREAM_CAMERAS_FILE: file,
        CITYSTREAM_CAMERAS_LIVE_IDLE_SECONDS: String(IDLE_SECONDS),
        CITYSTREAM_CAMERAS_LIVE_MAX_ENCODERS: '1',
        CITYSTREAM_CAMERAS_LIVE_ENCODE_WIDTH: '320',
        CITYSTREAM_CAMERAS_LIVE_ENCODE_FPS: '5',
      }),
      { logger: createLogger(process.env.LIVE_TEST_LOG ?? 'error') },
    );
    base = `http://127.0.0.1:${hub.port}`;
    // The restream is run by the worker that runs the camera: wait until all three run.
    await waitFor(
      async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return (text.match(/^citystream_camera_online\{camera="L-[^"]+"\} 1$/gm) ?? []).length === 4;
      },
      'the cameras online',
      30_000,
      200,
    );
  }, 60_000);

  afterAll(async () => {
    await hub?.stop();
    await db?.drop();
    await Promise.all(sources.map((s) => s.stop()));
  });

  /** First playlist request → playlist with segments; then one segment, probed. */
  async function watch(id: string) {
    const started = Date.now();
    const res = await fetch(`${base}/v1/cameras/${id}/live.m3u8`);
    const firstPlaylistMs = Date.now() - started;
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.apple\.mpegurl/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const playlist = await res.text();
    expect(playlist).toMatch(/^#EXTM3U/);
    const segments = playlist.split('\n').filter((l) => l.startsWith('live/'));
    expect(segments.length).toBeGreaterThan(0);
    const seg = await fetch(new URL(segments.at(-1)!, `${base}/v1/cameras/${id}/live.m3u8`));
    expect(seg.status).toBe(200);
    expect(seg.headers.get('content-type')).toBe('video/mp2t');
    expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const file = join(dir, `${id}.ts`);
    writeFileSync(file, Buffer.from(await seg.arrayBuffer()));
    return { firstPlaylistMs, probe: ffprobe(file) };
  }

  it('copies H.264 from HLS and RTSP: playlist within 5 s, segments decode, no encoder', async () => {
    for (const id of ['L-HLS', 'L-RTSP']) {
      const { firstPlaylistMs, probe } = await watch(id);
      expect(firstPlaylistMs, id).toBeLessThan(5_000);
      expect(probe.streams[0], id).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
      const duration = Number(probe.format.duration);
      expect(duration, id).toBeGreaterThan(0.5);
      expect(duration, id).toBeLessThan(2.5);
      console.log(`${id}: first playlist after ${firstPlaylistMs} ms, segment ${duration} s`);
    }
    const procs = restreamProcesses(liveDir);
    expect(procs.length).toBe(2);
    for (const p of procs) {
      expect(p.args.join(' ')).toContain('-c:v copy');
      expect(p.args).not.toContain('libx264');
    }
    // Remuxing 640x360 at 10 fps: a few per cent of a core at most (an encoder takes far more).
    const before = procs.map((p) => cpuSeconds(p.pid));
    const t0 = performance.now();
    const keepWatching = setInterval(() => {
      for (const id of ['L-HLS', 'L-RTSP']) void fetch(`${base}/v1/cameras/${id}/live.m3u8`);
    }, 1_000);
    await new Promise((r) => setTimeout(r, 4_000));
    clearInterval(keepWatching);
    const seconds = (performance.now() - t0) / 1000;
    procs.forEach((p, i) => {
      const share = (cpuSeconds(p.pid) - before[i]!) / seconds;
      console.log(`copy restream ${p.pid}: ${(share * 100).toFixed(2)} % of a core`);
      expect(share).toBeLessThan(0.05);
    });
  });

  it('encodes MJPEG to bounded H.264 and caps the encoders', async () => {
    const { firstPlaylistMs, probe } = await watch('L-MJPEG');
    expect(firstPlaylistMs).toBeLessThan(5_000);
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 180 });
    const encoder = restreamProcesses(liveDir).find((p) => p.args.includes('libx264'));
    expect(encoder?.args.join(' ')).toContain('-preset ultrafast');
    // One encoder allowed: a second MJPEG camera is refused with a reason, not queued.
    const busy = await fetch(`${base}/v1/cameras/L-MJPEG-2/live.m3u8`);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await busy.json()) as { detail: string }).detail).toMatch(/encoders .* busy/);
  });

  it('answers 404 for an unknown camera or a rolled-off segment, 400 for a bad segment name', async () => {
    expect((await fetch(`${base}/v1/cameras/NOPE/live.m3u8`)).status).toBe(404);
    const gone = await fetch(`${base}/v1/cameras/L-HLS/live/1.ts`);
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/problem\+json/);
    const bad = await fetch(`${base}/v1/cameras/L-HLS/live/..%2Findex.m3u8`);
    expect(bad.status).toBe(400);
  });

  it('stops a restream after the idle time and leaves no ffmpeg and no segments', async () => {
    expect(restreamProcesses(liveDir).length).toBeGreaterThan(0);
    // The last request any restream gets: from now on nobody watches. Timed from before it is sent:
    // the hub's idle clock starts when the request arrives, which under load can be well before
    // the answer reaches the test (9.43 s measured once from the answer with a 10 s idle time).
    const lastRequest = Date.now();
    expect((await fetch(`${base}/v1/cameras/L-HLS/live.m3u8`)).status).toBe(200);
    await waitFor(() => restreamProcesses(liveDir).length === 0, 'no restream ffmpeg left', 30_000, 100);
    const stoppedAfter = Date.now() - lastRequest;
    console.log(`restreams stopped ${stoppedAfter} ms after the last request`);
    expect(stoppedAfter).toBeGreaterThan((IDLE_SECONDS - 0.5) * 1000);
    expect(stoppedAfter).toBeLessThan((IDLE_SECONDS + 5) * 1000);
    await waitFor(() => !existsSync(liveDir) || readdirSync(liveDir).length === 0, 'segments removed', 5_000);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^citystream_camera_live_restreams 0$/m);
    // Watching again starts a new restream.
    expect((await fetch(`${base}/v1/cameras/L-HLS/live.m3u8`)).status).toBe(200);
  }, 60_000);
});
