// The processes of this machine as /proc shows them, for the helpers that look for one: a child
// pipeline of a test, a private server left running by a dead test file, the local Kafka broker a
// benchmark ran against. A process that ends (or is not ours to read) while listed is left out.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The arguments, program first. */
  args: string[];
}

/**
 * Every process, or only the children of `parent`: their command lines alone are read then, which
 * halves the reads of a helper that samples a test's children every few milliseconds.
 */
export function listProcesses(parent?: number): ProcessInfo[] {
  if (!existsSync('/proc')) return [];
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After the command name in parentheses: state, then the parent's pid.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== undefined && ppid !== parent) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').slice(0, -1);
      out.push({ pid: Number(entry), ppid, args });
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return out;
}
