// Demo cameras (CITYSTREAM_DEMO): one per pilot city. Two are live H.264 HLS streams that ffmpeg
// generates under <dataDir>/demo-cameras/<id>/ with a key frame every second (so their live
// restreams are copies with low latency); one is multipart MJPEG, as cheap IP cameras serve it,
// so the demo also exercises the encoding restream. This process serves them over HTTP and the
// ordinary pipeline ingests them exactly like real cameras.
import { access, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CameraConfig } from '../../../core/events/cameras.ts';
import type { HttpServer } from '../../../core/http/index.ts';
import { notFound, unavailable } from '../../../core/http/problem.ts';
import { sleep } from '../../../core/retry.ts';
import { startHlsGenerator, startMjpegGenerator, type Generator } from './generator.ts';

/** Concurrent MJPEG connections per demo camera (each runs an ffmpeg): the snapshot pipeline, the
 * live restream and a few curious people; past it, 503. */
const MJPEG_CONNECTIONS = 4;

export const DEMO_CAMERAS: Omit<CameraConfig, 'url'>[] = [
  {
    id: 'SZ-CAM-01',
    name: 'Shenzhen Shennan Blvd / Huaqiang Rd',
    names: { 'zh-CN': '深南大道/华强路' },
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
    names: { 'zh-CN': '天河路/体育西路' },
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
    names: { 'zh-CN': '祖庙路/人民路' },
    city: 'foshan',
    lat: 23.0297,
    lon: 113.1144,
    protocol: 'mjpeg',
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
  const mjpegClients = new Map<string, number>();
  o.http.get(
    '/demo/cameras/:id/video.mjpg',
    { schema: { hide: true, params: z.object({ id: z.string() }) } },
    async (request, reply) => {
      const { id } = request.params;
      if (!DEMO_CAMERAS.some((c) => c.id === id && c.protocol === 'mjpeg'))
        throw notFound(`no demo MJPEG stream ${id}`);
      const n = mjpegClients.get(id) ?? 0;
      if (n >= MJPEG_CONNECTIONS) throw unavailable(`demo camera ${id} has ${n} viewers already`);
      mjpegClients.set(id, n + 1);
      const g = startMjpegGenerator({ label: id, width: 640, height: 360, fps: 10 }, o.ffmpegPath);
      // The response closes when the viewer goes (or the server stops): end its ffmpeg.
      reply.raw.once('close', () => {
        mjpegClients.set(id, (mjpegClients.get(id) ?? 1) - 1);
        void g.stop();
      });
      return reply
        .header('Cache-Control', 'no-cache')
        .type('multipart/x-mixed-replace;boundary=ffmpeg')
        .send(g.child.stdout);
    },
  );
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
        {
          dir: join(root, camera.id),
          label: camera.id,
          width: 640,
          height: 360,
          fps: 10,
          segmentSeconds: 1,
          gopSeconds: 1,
        },
        o.ffmpegPath,
      );
      running.set(camera.id, g);
      await new Promise((r) => g.child.once('exit', r));
      if (!abort.signal.aborted)
        o.logger.warn({ camera: camera.id }, 'demo stream generator exited; restarting');
      await sleep(2_000, abort.signal);
    }
  };
  const hls = DEMO_CAMERAS.filter((c) => c.protocol === 'hls');
  const loops = hls.map((c) => keep(c));
  return {
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (const c of hls) {
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
      DEMO_CAMERAS.map((c) => ({
        ...c,
        url: `http://127.0.0.1:${port}/demo/cameras/${c.id}/${c.protocol === 'mjpeg' ? 'video.mjpg' : 'index.m3u8'}`,
      })),
    async stop() {
      abort.abort();
      await Promise.all([...running.values()].map((g) => g.stop()));
      await Promise.all(loops);
    },
  };
}
