// The bytes of a push body as they arrive: inflated as a stream when gzip, with the bytes sent and
// the bytes inflated both capped (a gzip bomb stops at the cap), and a SHA-256 of the inflated
// body for Idempotency-Key fingerprints, so the body itself never has to be kept.
import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { FastifyRequest } from 'fastify';
import { badRequest, HttpProblem } from '../../core/http/index.ts';

export interface PushBodyBytes {
  chunks: AsyncIterable<Buffer>;
  /** Hex SHA-256 of the inflated bytes; complete once `chunks` is exhausted. */
  digest(): string;
}

export const tooLarge = (limit: number, what: string) =>
  new HttpProblem(
    413,
    'Content Too Large',
    `the request body is larger than ${limit} bytes${what ? ` ${what}` : ''}`,
    {
      limit,
    },
  );

/** `raw` is only read, never destroyed: the connection must stay up to carry the error reply. */
async function* capped(raw: Readable, limit: number, what: string): AsyncGenerator<Buffer> {
  let bytes = 0;
  for await (const chunk of raw.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) throw tooLarge(limit, what);
    yield chunk;
  }
}

export function isGzip(request: FastifyRequest): boolean {
  return request.headers['content-encoding'] === 'gzip';
}

export function pushBodyBytes(request: FastifyRequest, raw: Readable, limit: number): PushBodyBytes {
  const hash = createHash('sha256');
  let digest: string | undefined;
  const sent = capped(raw, limit, isGzip(request) ? 'as sent' : '');
  async function* inflated(): AsyncGenerator<Buffer> {
    if (!isGzip(request)) {
      yield* sent;
      return;
    }
    const gunzip = pipeline(Readable.from(sent), createGunzip(), () => undefined);
    try {
      yield* capped(gunzip, limit, 'after decompression');
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw badRequest(`the body is not valid gzip: ${(err as Error).message}`, [
        { in: 'headers', field: 'content-encoding', message: 'body does not match Content-Encoding: gzip' },
      ]);
    } finally {
      gunzip.destroy();
    }
  }
  async function* hashed(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of inflated()) {
        hash.update(chunk);
        yield chunk;
      }
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      // The client went away or the stream broke: nothing to parse, and no server fault.
      throw badRequest(`the request body could not be read: ${(err as Error).message}`);
    }
    digest = hash.digest('hex');
  }
  return {
    chunks: hashed(),
    digest: () => digest ?? '',
  };
}
