// Every benchmark writes bench/results/<area>.json (machine-readable) and <area>.md (a table
// for humans), stamped with the machine and the command that produced them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));

export interface BenchTable {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export function machine() {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
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
  writeFileSync(
    `${RESULTS_DIR}${area}.json`,
    JSON.stringify({ area, at, command, machine: machine(), data }, null, 2) + '\n',
  );
  const m = machine();
  const md = [
    `# ${area} benchmark`,
    '',
    `Run ${at} with \`${command}\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}.`,
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
