import { parseArgs } from 'node:util';
import { loadConfig } from '../../core/config/index.ts';
import { Hub } from '../../app/hub.ts';
import { isStreamWorker, onSupervisorShutdown, superviseStreamWorkers } from '../../app/stream-workers.ts';

export async function startCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { roles: { type: 'string' } }, strict: true });
  const env = values.roles === undefined ? process.env : { ...process.env, CITYSTREAM_ROLES: values.roles };
  const config = loadConfig(env);
  if (config.stream.workers > 1 && !isStreamWorker()) return superviseStreamWorkers(config);
  const hub = await Hub.start(config);
  const log = hub.ctx.logger;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      const deadline = setTimeout(() => {
        log.error({ timeoutMs: config.shutdownTimeoutMs }, 'graceful shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      deadline.unref();
      hub.stop().then(
        () => {
          // A gateway worker's IPC channel to its supervisor would keep the process alive.
          if (isStreamWorker() && process.connected) process.disconnect();
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    if (isStreamWorker()) onSupervisorShutdown(() => (stopping ? undefined : stop('supervisor')));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
