import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../observability/logger.ts';
import { LazyRequestLogger, lazyRequestLogger } from './request-logger.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { lines, logger: createLogger('info', {}, sink) };
}

describe('request logger made on first use', () => {
  it('makes no pino child for a request that logs nothing, and one with the request id for one that does', async () => {
    const { lines, logger } = capture();
    const made: LazyRequestLogger[] = [];
    const app = Fastify({
      loggerInstance: logger.child({ component: 'http' }),
      logController: new LogController({ disableRequestLogging: true }),
      requestIdHeader: 'x-request-id',
      childLoggerFactory: (parent, bindings, options) => {
        const l = lazyRequestLogger(parent, bindings, options) as LazyRequestLogger;
        made.push(l);
        return l;
      },
    });
    app.get('/quiet', () => ({ ok: true }));
    app.get('/chatty', (request) => {
      request.log.info({ phone: '13800138000' }, 'looked something up');
      return { ok: true };
    });
    app.get('/broken', () => {
      throw new Error('handler failed');
    });
    // As createHttpServer's error handler does: failures are logged through request.log.
    app.setErrorHandler((err, request, reply) => {
      request.log.error({ err }, 'request failed');
      return reply.code(500).send({ title: 'Internal Server Error' });
    });

    expect((await app.inject({ url: '/quiet', headers: { 'x-request-id': 'r-quiet' } })).statusCode).toBe(
      200,
    );
    expect(made.at(-1)!.used).toBe(false);

    expect((await app.inject({ url: '/chatty', headers: { 'x-request-id': 'r-chatty' } })).statusCode).toBe(
      200,
    );
    expect(made.at(-1)!.used).toBe(true);
    // The parent's bindings and redaction still apply to the child made late.
    expect(lines.find((l) => l.msg === 'looked something up')).toMatchObject({
      reqId: 'r-chatty',
      component: 'http',
      phone: '[redacted]',
    });

    expect((await app.inject({ url: '/broken', headers: { 'x-request-id': 'r-broken' } })).statusCode).toBe(
      500,
    );
    expect(lines.find((l) => l.reqId === 'r-broken' && l.msg === 'request failed')).toMatchObject({
      level: 50,
    });
    expect(made.filter((l) => l.used)).toHaveLength(2);
    await app.close();
  });

  it('reads and changes the level of the child it stands for', () => {
    const { logger } = capture();
    const lazy = new LazyRequestLogger(logger, { reqId: 'r1' }, {});
    expect(lazy.level).toBe('info');
    lazy.level = 'warn';
    expect(lazy.logger.level).toBe('warn');
    expect(logger.level).toBe('info');
  });
});
