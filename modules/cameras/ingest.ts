// The cameras component of the ingest role: cameras from CITYSTREAM_CAMERAS_FILE (and the demo
// cameras) go into the registry; the worker runs the cameras of its registry partitions.
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../core/config/index.ts';
import { cameraInput, type CameraConfig } from '../../core/events/cameras.ts';
import type { Component } from '../../core/runtime/context.ts';
import { startDemoSources, type DemoSources } from './demo/cameras.ts';
import { CameraRegistry, registerCameras } from '../../core/domain/camera-registry.ts';
import { CameraWorker } from './worker.ts';

/** Reads and validates the cameras file; a bad entry stops start-up naming the item and field. */
export async function readCamerasFile(path: string): Promise<CameraConfig[]> {
  const fail = (message: string) =>
    new ConfigError([{ variable: 'CITYSTREAM_CAMERAS_FILE', value: path, message }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw fail(`cannot read a JSON array of cameras from it: ${(err as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { cameras?: unknown } | null)?.cameras;
  if (!Array.isArray(list)) throw fail('expected a JSON array of cameras (or {"cameras": [...]})');
  return list.map((item, i) => {
    const r = cameraInput.safeParse(item);
    if (r.success) return r.data;
    const issue = r.error.issues[0]!;
    throw fail(`camera [${i}] ${issue.path.join('.') || '(item)'}: ${issue.message}`);
  });
}

const startCameraIngest: Component = async (ctx) => {
  const { config, bus, http, logger } = ctx;
  const log = logger.child({ component: 'cameras' });
  const fileCameras = config.cameras.file ? await readCamerasFile(config.cameras.file) : [];
  const worker = new CameraWorker({
    bus,
    http,
    localCameras: ctx.localCameras,
    logger: log,
    registry: ctx.metrics.registry,
    config: config.cameras,
    dataDir: config.dataDir,
    instanceId: config.instanceId,
    httpHost: config.http.host,
    timeseries: await ctx.timeseries(),
  });
  const demo: DemoSources | null =
    config.demo && config.cameras.demo
      ? await startDemoSources({ http, dataDir: config.dataDir, ffmpegPath: worker.ffmpeg.path, logger: log })
      : null;
  const source = `citystream/ingest/${config.instanceId}`;
  if (fileCameras.length) {
    const known = await CameraRegistry.open(bus, `cameras-file-${config.instanceId}`);
    try {
      const n = await registerCameras(bus, source, fileCameras, known);
      log.info(
        { file: config.cameras.file, cameras: fileCameras.length, changed: n },
        'cameras file registered',
      );
    } finally {
      await known.close();
    }
  }
  await worker.start();
  // Demo URLs carry this process's port, known once the server listens.
  const onListening = () => {
    const port = (http.server.address() as AddressInfo).port;
    void demo!
      .ready()
      .then(() => registerCameras(bus, source, demo!.cameras(port)))
      .catch((err: unknown) => log.error({ err }, 'demo cameras not registered'));
  };
  if (demo) http.server.once('listening', onListening);
  return {
    async stop() {
      http.server.off('listening', onListening);
      await worker.stop();
      await demo?.stop();
    },
  };
};
export default startCameraIngest;
