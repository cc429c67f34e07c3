// A relay process for the outbox fault test. It runs the real OutboxRelay over the real database
// and broker, but announces on stdout when it reaches a chosen point and then stops there, so the
// parent can SIGKILL it at exactly that point:
//   before-publish: the rows are selected, nothing is published yet;
//   after-publish:  the broker acknowledged, the rows are not yet marked sent.
import { OutboxRelay } from '../../core/outbox/relay.ts';
import { PostgresDb } from '../../core/db/postgres.ts';
import { silentLogger } from '../../core/observability/logger.ts';
import { quietKafkaBus } from './kafka.ts';

const [databaseUrl, brokers, prefix, point] = process.argv.slice(2) as [string, string, string, string];
const bus = quietKafkaBus(brokers.split(','), 'outbox-relay-child', prefix);
await bus.start();
const hang = () => new Promise<never>(() => undefined);
const relay = new OutboxRelay({
  db: new PostgresDb(databaseUrl),
  logger: silentLogger(),
  pollMs: 50,
  bus: {
    async publish(topic, records) {
      const ids = records.map((r) => r.event?.id).join(',');
      if (point === 'before-publish') {
        process.stdout.write(`at before-publish ${ids}\n`);
        return hang();
      }
      await bus.publish(topic, records);
      process.stdout.write(`at after-publish ${ids}\n`);
      return hang();
    },
  },
});
relay.start();
