import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../index.ts';

describe('air config', () => {
  it('parses pull sources with defaults and never logs their header values', () => {
    const config = loadConfig({
      CITYSTREAM_AIR_SOURCES: JSON.stringify([
        {
          name: 'openaq',
          format: 'openaq',
          url: 'https://api.openaq.org/v3/locations/2178/latest',
          headers: { 'X-API-Key': 's3cret' },
        },
      ]),
    });
    expect(config.air.sources[0]).toMatchObject({
      intervalSeconds: 60,
      timeoutSeconds: 10,
      headers: { 'X-API-Key': 's3cret' },
    });
    expect(JSON.stringify(config.air)).not.toContain('s3cret');
  });

  it('stops start-up naming the variable and the bad source field', () => {
    const bad = () =>
      loadConfig({ CITYSTREAM_AIR_SOURCES: JSON.stringify([{ name: 'x', format: 'csv', url: 'ftp://x' }]) });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/CITYSTREAM_AIR_SOURCES[\s\S]*\[0\.format\]/);
    expect(() => loadConfig({ CITYSTREAM_AIR_SOURCES: '[{' })).toThrow(
      /expected a JSON array of air sources/,
    );
  });

  it('caps readings per push request at CITYSTREAM_INGEST_MAX_ITEMS, refusing nonsense by name', () => {
    expect(loadConfig({}).air.ingestMaxItems).toBe(10_000);
    expect(loadConfig({ CITYSTREAM_INGEST_MAX_ITEMS: '500' }).air.ingestMaxItems).toBe(500);
    for (const value of ['0', '-5', 'lots', '1.5', '2000000']) {
      expect(() => loadConfig({ CITYSTREAM_INGEST_MAX_ITEMS: value }), value).toThrow(
        /CITYSTREAM_INGEST_MAX_ITEMS[\s\S]*between 1 and 1000000/,
      );
    }
  });
});
