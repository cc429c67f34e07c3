// Every benchmark writes bench/results/<area>.json (machine-readable) and <area>.md (a table
// for humans), stamped with the machine and the command that produced them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { listProcesses } from '../../test/support/processes.ts';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

/**
 * The -XX flags of the local Kafka broker (scripts/services), or null when none runs here. Its
 * default is a test broker (C1 JIT only: half the broker CPU over a test run); a figure measured
 * against it is not one measured against a production-tuned broker, so results say which it was.
 */
export function kafkaJvmFlags(): string | null {
  const broker = listProcesses().find((p) => p.args.includes('kafka.Kafka'));
  return broker ? broker.args.filter((a) => a.startsWith('-XX:')).join(' ') : null;
}

/** Set before a benchmark that leans on Kafka: warns when the broker runs with the test JIT. */
export function warnOnTestBroker(): void {
  const flags = kafkaJvmFlags();
  if (flags?.includes('TieredStopAtLevel=1')) {
    process.stderr.write(
      'bench: the local Kafka broker runs with the test JIT (C1 only); for figures of a production-tuned\n' +
        'broker: scripts/services down kafka && CITYSTREAM_KAFKA_JVM=production scripts/services up kafka\n',
    );
  }
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kafkaJvm: kafkaJvmFlags(),
  };
}

export function writeResults(
  area: string,
  command: string,
  data: unknown,
  tables: BenchTable[],
  notes: string[] = [],
): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const at = new Date().toISOString();
  // Once: it reads /proc (the Kafka broker's flags).
  const m = machine();
  writeFileSync(
    `${RESULTS_DIR}${area}.json`,
    JSON.stringify({ area, at, command, machine: m, data }, null, 2) + '\n',
  );
  const md = [
    `# ${area} benchmark`,
    '',
    `Run ${at} with \`${command}\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}${m.kafkaJvm === null ? '' : `; local Kafka broker JVM: \`${m.kafkaJvm}\``}.`,
    '',
    ...tables.flatMap((t) => [
      `## ${t.title}`,
      '',
      `| ${t.columns.join(' | ')} |`,
      `| ${t.columns.map(() => '---').join(' | ')} |`,
      ...t.rows.map((r) => `| ${r.join(' | ')} |`),
      '',
    ]),
    ...(notes.length ? ['## Notes', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
  writeFileSync(`${RESULTS_DIR}${area}.md`, md);
  process.stdout.write(md + '\n');
}

/** Percentile of an ascending-sorted array (nearest rank). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (v: number, digits = 1) => Number(v.toFixed(digits));
