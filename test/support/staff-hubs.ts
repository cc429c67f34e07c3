// Staff-facing tests on the real servers: an api hub in the test process (staff call it; the test
// can reach its bus and database) and an ingest hub in a child process, on one fresh database and
// topic prefix, so what staff change must travel between processes as in production.
import { loadConfig } from '../../core/config/index.ts';
import { mintToken } from '../../core/auth/index.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { Hub } from '../../app/hub.ts';
import { startHub, type HubProcess } from './hub-process.ts';
import { deleteTestTopics } from './kafka.ts';
import { createTestDatabase } from './postgres.ts';

/** A JSON call as one caller: status, content type and the parsed body (null when empty). */
export type JsonCall = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<{ status: number; type: string | null; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests check it with expect()

export function jsonCaller(baseUrl: string, token: string): JsonCall {
  return async (method, path, body, headers) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      body: text ? (JSON.parse(text) as unknown) : null,
    };
  };
}

export interface StaffHubs {
  /** The api hub, in this process. */
  api: Hub;
  apiUrl: string;
  /** The ingest hub, a child process. */
  ingest: HubProcess;
  /** Calls the api hub as staff member `staffSub`. */
  call: JsonCall;
  stop(): Promise<void>;
}

export async function startStaffHubs(o: {
  kafka: string;
  postgres: string;
  prefix: string;
  /** Names the two instances (`{name}-api-{run}`, `{name}-ingest-{run}`). */
  name: string;
  run: string;
  secret: string;
  staffSub: string;
  /** More settings of the ingest process (MQTT_URL, CITYSTREAM_API_KEYS ...). */
  ingestEnv?: Record<string, string>;
}): Promise<StaffHubs> {
  const database = await createTestDatabase(o.postgres);
  const env = {
    KAFKA_BROKERS: o.kafka,
    KAFKA_TOPIC_PREFIX: o.prefix,
    DATABASE_URL: database.url,
    CITYSTREAM_HTTP_HOST: '127.0.0.1',
    CITYSTREAM_DEMO: '0',
    CITYSTREAM_LOG_LEVEL: 'warn',
    CITYSTREAM_JWT_SECRET: o.secret,
  };
  let api: Hub | undefined;
  let ingest: HubProcess | undefined;
  // Whatever started is stopped again when a later step fails, so a broken set-up leaks nothing.
  const stop = async () => {
    await ingest?.stop();
    await api?.stop();
    await database.drop();
    await deleteTestTopics([o.kafka], o.prefix);
  };
  try {
    api = await Hub.start(
      loadConfig({
        ...env,
        CITYSTREAM_HTTP_PORT: '0',
        CITYSTREAM_ROLES: 'api',
        CITYSTREAM_INSTANCE_ID: `${o.name}-api-${o.run}`,
      }),
      { logger: silentLogger() },
    );
    const apiUrl = `http://127.0.0.1:${api.port}`;
    ingest = await startHub({
      ...env,
      CITYSTREAM_ROLES: 'ingest',
      // startHub learns the port from the info-level "citystream is up" line.
      CITYSTREAM_LOG_LEVEL: 'info',
      CITYSTREAM_INSTANCE_ID: `${o.name}-ingest-${o.run}`,
      ...o.ingestEnv,
    });
    const call = jsonCaller(apiUrl, await mintToken(o.secret, { sub: o.staffSub, role: 'staff' }));
    return {
      api,
      apiUrl,
      ingest,
      call,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
