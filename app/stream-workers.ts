// Gateway workers: with CITYSTREAM_STREAM_WORKERS > 1 a stream-only process becomes a small
// supervisor that forks that many copies of itself with node:cluster. They share the listening
// port (the primary hands each new connection to the next worker in turn), and each runs the whole
// stream role with its own broadcast Kafka consumer and history, so every core writes to its own
// share of the sockets and a client recovers with `since` on whichever worker it lands, exactly as
// across separate gateway processes. The primary holds no connection and no consumer.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Config } from '../core/config/index.ts';
import { createLogger } from '../core/observability/index.ts';
import { backoffDelay } from '../core/retry.ts';

/** The message a worker stops on: a signal would count as a second one after a terminal's Ctrl-C. */
export const SHUTDOWN_MESSAGE = 'citystream:shutdown';

/** A worker that dies sooner than this after it started counts as crashing on start. */
const STABLE_AFTER_MS = 10_000;
/** Crashes on start in a row after which the supervisor gives up (bad config, port taken ...). */
const MAX_START_CRASHES = 5;

export function isStreamWorker(): boolean {
  return cluster.isWorker;
}

/** Calls `stop` when the supervisor asks this worker to shut down. */
export function onSupervisorShutdown(stop: () => void): void {
  process.on('message', (m) => {
    if (m === SHUTDOWN_MESSAGE) stop();
  });
}

/** Runs the workers until SIGTERM/SIGINT; resolves with the exit code. */
export function superviseStreamWorkers(config: Config): Promise<number> {
  const logger = createLogger(config.logLevel, { instance: config.instanceId, role: 'supervisor' });
  return new Supervisor(config, logger).run();
}

class Supervisor {
  private readonly workers = new Map<Worker, { slot: number; startedAt: number }>();
  private stopping = false;
  private startCrashes = 0;
  private readonly config: Config;
  private readonly logger: Logger;

  constructor(config: Config, logger: Logger) {
    this.config = config;
    this.logger = logger;
  }

  run(): Promise<number> {
    return new Promise((resolve) => {
      for (let slot = 0; slot < this.config.stream.workers; slot++) this.fork(slot);
      logStarted(this.logger, this.config);
      const finish = (code: number) => {
        this.stopping = true;
        resolve(code);
      };
      cluster.on('exit', (worker, code, signal) => {
        const info = this.workers.get(worker);
        this.workers.delete(worker);
        if (this.stopping) {
          if (this.workers.size === 0) finish(0);
          return;
        }
        if (!info) return;
        this.logger.error({ pid: worker.process.pid, code, signal, slot: info.slot }, 'gateway worker died');
        // Exit code 2 is a configuration error: every worker would fail the same way.
        const crashedOnStart = Date.now() - info.startedAt < STABLE_AFTER_MS;
        this.startCrashes = crashedOnStart ? this.startCrashes + 1 : 0;
        if (code === 2 || this.startCrashes >= MAX_START_CRASHES) {
          this.logger.fatal({ code, crashes: this.startCrashes }, 'gateway workers cannot start; stopping');
          this.shutdown(finish, 1);
          return;
        }
        const delay = backoffDelay(this.startCrashes, 500, 10_000);
        setTimeout(() => {
          if (!this.stopping) this.fork(info.slot);
        }, delay).unref();
      });
      const onSignal = (signal: NodeJS.Signals) => {
        if (this.stopping) {
          this.logger.warn({ signal }, 'second signal: killing the workers now');
          for (const w of this.workers.keys()) w.process.kill('SIGKILL');
          process.exit(1);
        }
        this.logger.info({ signal }, 'shutting down the gateway workers');
        this.shutdown(finish, 0);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    });
  }

  private fork(slot: number): void {
    // A configured instance id is per process: suffix it so logs and Kafka client ids stay apart.
    const env = process.env.CITYSTREAM_INSTANCE_ID
      ? { CITYSTREAM_INSTANCE_ID: `${process.env.CITYSTREAM_INSTANCE_ID}-w${slot}` }
      : {};
    const worker = cluster.fork(env);
    this.workers.set(worker, { slot, startedAt: Date.now() });
  }

  private shutdown(finish: (code: number) => void, code: number): void {
    this.stopping = true;
    if (this.workers.size === 0) return finish(code);
    for (const w of this.workers.keys()) {
      if (w.isConnected()) w.send(SHUTDOWN_MESSAGE);
      else w.process.kill('SIGTERM');
    }
    // Each worker has shutdownTimeoutMs for its own graceful stop; then it is killed.
    const deadline = setTimeout(() => {
      for (const w of this.workers.keys()) w.process.kill('SIGKILL');
      finish(1);
    }, this.config.shutdownTimeoutMs + 2_000);
    deadline.unref();
    cluster.on('exit', () => {
      if (this.workers.size === 0) {
        clearTimeout(deadline);
        finish(code);
      }
    });
  }
}

function logStarted(logger: Logger, config: Config): void {
  logger.info(
    { workers: config.stream.workers, port: config.http.port },
    'citystream gateway supervisor: workers share the port',
  );
}
