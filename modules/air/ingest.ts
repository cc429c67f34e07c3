// The air-quality part of the ingest role: push endpoints (HTTP, line protocol, MQTT), pull
// sources (and the demo feed in demo mode), and the time-series sink. (The intake publishes each
// reading's AQI with it.)
import type { MqttClient } from 'mqtt';
import type { Consumer } from '../../core/bus/index.ts';
import type { Component } from '../../core/runtime/context.ts';
import { airStationsSeeder } from './demo-stations.ts';
import { DemoAirFeed } from './demo-feed.ts';
import { createIntake } from './intake.ts';
import { registerAirPush } from './push-http.ts';
import { startSink, sinkMetrics } from './sink.ts';
import { Poller } from './sources/poller.ts';
import { StationCache } from '../../core/domain/stations.ts';

export const airIngest: Component = async (ctx) => {
  const logger = ctx.logger.child({ component: 'air' });
  const db = await ctx.db();
  if (ctx.config.demo) await airStationsSeeder.run(db);
  const stations = new StationCache(db);
  await stations.load();
  const intake = createIntake(ctx.bus, stations, ctx.config.air);
  await registerAirPush(ctx.http, intake, { maxItems: ctx.config.air.ingestMaxItems }, ctx.apiKeys);

  const store = await ctx.timeseries();
  const consumers: Consumer[] = [];
  let mqtt: MqttClient | null = null;
  const pollers: Poller[] = [];
  let demo: DemoAirFeed | null = null;
  const stopping = new AbortController();
  const stop = async () => {
    stopping.abort();
    await Promise.all(pollers.map((p) => p.stop()));
    await demo?.stop();
    await mqtt?.endAsync();
    for (const c of consumers) await c.stop();
  };
  try {
    consumers.push(await startSink(ctx, store, sinkMetrics(ctx)));
    if (ctx.config.mqtt) {
      // the MQTT client library loads only when MQTT_URL is set
      const { startMqttIngest } = await import('./mqtt.ts');
      mqtt = await startMqttIngest(
        ctx.config.mqtt.url,
        intake,
        ctx.bus,
        logger,
        `citystream-air-${ctx.config.instanceId}`,
        stopping,
        ctx.apiKeys,
      );
    }
    const sources = [...ctx.config.air.sources];
    if (ctx.config.demo) {
      demo = new DemoAirFeed(ctx.config.air.demoIntervalSeconds * 1000);
      sources.push(DemoAirFeed.source(await demo.start(), ctx.config.air.demoIntervalSeconds));
    }
    for (const s of sources) pollers.push(new Poller(s, intake, ctx.bus, logger));
    for (const p of pollers) p.start();
    logger.info(
      { sources: sources.map((s) => s.name), mqtt: Boolean(mqtt), store: store.kind },
      'air ingest started',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
};
