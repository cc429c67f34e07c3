// The composition root: one process of the hub builds the shared resources from the config, starts the configured
// roles on them (app/assemble.ts), listens, and shuts everything down in the order that loses nothing.
import type { AddressInfo } from 'node:net';
import type { Config } from '../core/config/index.ts';
import type { HubContext } from '../core/runtime/context.ts';
import { assembleHub, type AssembleOptions, type AssembledHub } from './assemble.ts';

export class Hub {
  readonly ctx: HubContext;
  private readonly assembled: AssembledHub;

  private constructor(assembled: AssembledHub) {
    this.ctx = assembled.ctx;
    this.assembled = assembled;
  }

  get port(): number {
    return (this.ctx.http.server.address() as AddressInfo).port;
  }

  static async start(config: Config, options: AssembleOptions = {}): Promise<Hub> {
    const assembled = await assembleHub(config, options);
    const { http, logger, bus } = assembled.ctx;
    try {
      await http.listen({ host: config.http.host, port: config.http.port });
    } catch (err) {
      await assembled.stop();
      throw err;
    }
    logger.info(
      { roles: config.roles, port: (http.server.address() as AddressInfo).port, bus: bus.kind },
      'citystream is up',
    );
    return new Hub(assembled);
  }

  /** Stop accepting, let roles drain and flush, commit consumer offsets, close stores. */
  stop(): Promise<void> {
    return this.assembled.stop();
  }
}
