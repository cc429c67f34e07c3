// Spawns a child that dies with this process, even on SIGKILL. Demo generators and live restreams
// write files, not pipes, so nothing else would ever tell an orphaned ffmpeg to stop: on Linux,
// util-linux's `setpriv --pdeathsig KILL` asks the kernel to kill the child when its parent dies.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
const canTie = process.platform === 'linux' && existsSync(SETPRIV);

export function spawnTied(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const { path, prefix } = tiedCommand(command);
  return spawn(path, [...prefix, ...args], options);
}

/**
 * The program to start and the arguments to put first so that `command` runs tied to this
 * process (for spawners such as fluent-ffmpeg that take a binary path and an argument list).
 * setpriv execs the command in place: same pid, so kill() and exit codes are the command's own.
 */
export function tiedCommand(command: string): { path: string; prefix: string[] } {
  return canTie
    ? { path: SETPRIV, prefix: ['--pdeathsig', 'KILL', '--', command] }
    : { path: command, prefix: [] };
}
