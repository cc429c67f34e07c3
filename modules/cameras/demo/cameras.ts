// Demo cameras (CITYSTREAM_DEMO): one per pilot city, each a live HLS stream that ffmpeg
// generates under <dataDir>/demo-cameras/<id>/ and this process serves over HTTP, so the
// ordinary pipeline ingests them exactly like a real HLS camera.
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CameraConfig } from '../../../core/events/cameras.ts';
import type { HttpServer } from '../../../core/http/index.ts';
import { notFound } from '../../../core/http/problem.ts';
import { sleep } from '../../../core/retry.ts';
import { startHlsGenerator, type Generator } from './generator.ts';

export const DEMO_CAMERAS: Omit<CameraConfig, 'url'>[] = [
  {
    id: 'SZ-CAM-01',
    name: 'Shenzhen Shennan Blvd / Huaqiang Rd',
    city: 'shenzhen',
    lat: 22.5431,
    lon: 114.0862,
    protocol: 'hls',
    snapshotIntervalSeconds: 2,
    enabled: true,
  },
  {
    id: 'GZ-CAM-01',
    name: 'Guangzhou Tianhe Rd / Tiyu West Rd',
    city: 'guangzhou',
    lat: 23.1365,
    lon: 113.3231,
    protocol: 'hls',
    snapshotIntervalSeconds: 2,
    enabled: true,
  },
  {
    id: 'FS-CAM-01',
    name: 'Foshan Zumiao Rd / Renmin Rd',
    city: 'foshan',
    lat: 23.0297,
    lon: 113.1144,
    protocol: 'hls',
    snapshotIntervalSeconds: 2,
    enabled: true,
  },
];

export interface DemoSources {
  /** The cameras, with URLs on this process's HTTP port. */
  cameras(port: number): CameraConfig[];
  /** Resolves once every generator has written its first playlist (or after the timeout). */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDemoSources(o: {
  http: HttpServer;
  dataDir: string;
  ffmpegPath: string;
  logger: Logger;
}): Promise<DemoSources> {
  const root = join(o.dataDir, 'demo-cameras');
  o.http.get(
    '/demo/cameras/:id/:file',
    { schema: { hide: true, params: z.object({ id: z.string(), file: z.string() }) } },
    async (request, reply) => {
      const { id, file } = request.params;
      if (!DEMO_CAMERAS.some((c) => c.id === id) || !/^index\d*\.(m3u8|ts)$/.test(file))
        throw notFound(`no demo stream file ${id}/${file}`);
      const body = await readFile(join(root, id, file)).catch(() => null);
      if (!body) throw notFound(`demo stream file ${id}/${file} is not there (yet)`);
      return reply
        .header('Cache-Control', 'no-cache')
        .type(file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t')
        .send(body);
    },
  );
  const abort = new AbortController();
  const running = new Map<string, Generator>();
  // A generator that dies is started again: the demo should keep streaming all day.
  const keep = async (camera: (typeof DEMO_CAMERAS)[number]) => {
    // A playlist left by an earlier run names segments that are gone.
    await rm(join(root, camera.id), { recursive: true, force: true });
    while (!abort.signal.aborted) {
      const g = await startHlsGenerator(
        { dir: join(root, camera.id), label: camera.id, width: 640, height: 360, fps: 10, segmentSeconds: 2 },
        o.ffmpegPath,
      );
      running.set(camera.id, g);
      await new Promise((r) => g.child.once('exit', r));
      if (!abort.signal.aborted)
        o.logger.warn({ camera: camera.id }, 'demo stream generator exited; restarting');
      await sleep(2_000, abort.signal);
    }
  };
  const loops = DEMO_CAMERAS.map((c) => keep(c));
  return {
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (const c of DEMO_CAMERAS) {
        while (
          !(await access(join(root, c.id, 'index.m3u8')).then(
            () => true,
            () => false,
          ))
        ) {
          if (Date.now() > deadline || abort.signal.aborted) return;
          await sleep(200, abort.signal);
        }
      }
    },
    cameras: (port) =>
      DEMO_CAMERAS.map((c) => ({ ...c, url: `http://127.0.0.1:${port}/demo/cameras/${c.id}/index.m3u8` })),
    async stop() {
      abort.abort();
      await Promise.all([...running.values()].map((g) => g.stop()));
      await Promise.all(loops);
    },
  };
}
