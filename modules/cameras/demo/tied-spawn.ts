// Spawns a child that dies with this process, even on SIGKILL. Demo generators write files, not
// pipes, so nothing else would ever tell an orphaned ffmpeg to stop: on Linux, util-linux's
// `setpriv --pdeathsig KILL` asks the kernel to kill the child when its parent dies.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';
const canTie = process.platform === 'linux' && existsSync(SETPRIV);

export function spawnTied(command: string, args: string[], options: SpawnOptions): ChildProcess {
  // setpriv execs the command in place: same pid, so kill() and exit codes are the command's own
  return canTie
    ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], options)
    : spawn(command, args, options);
}
