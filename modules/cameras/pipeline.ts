// One run of ffmpeg for one camera (fluent-ffmpeg): JPEG snapshots out of stdout, progress and
// diagnostics out of stderr. A pipeline does not restart itself; the supervisor decides that.
import { closeSync, openSync, readSync } from 'node:fs';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import type { CommandPlan } from './command.ts';
import { JpegSplitter } from './jpeg.ts';

export interface PipelineExit {
  /** ffmpeg's own words: its last error line, or how it ended. */
  reason: string;
  /** Snapshots this run produced. */
  frames: number;
  /** True when stop() ended it. */
  stopped: boolean;
  /** ffmpeg ended by itself, with exit code 0 and no error line: the source just ran out. */
  clean: boolean;
}

export interface PipelineHandlers {
  onFrame(jpeg: Buffer): void;
  /** Bytes of compressed input read so far (ffmpeg's `size=` of the counting output). */
  onInputBytes(bytes: number): void;
  onExit(exit: PipelineExit): void;
  /** ffmpeg was spawned. */
  onStart?(pid: number | undefined): void;
}

const STATS = /size=\s*(\d+)(kB|KiB|B)\b/;
const LEVEL = /^(?:\[[^\]]+ @ 0x[0-9a-f]+\] )*\[(fatal|error|warning|info)\] (.*)$/;

export class Pipeline {
  private readonly command: ffmpeg.FfmpegCommand;
  private readonly splitter = new JpegSplitter();
  private readonly errors: string[] = [];
  private lastLine = '';
  private frames = 0;
  private stopping = false;
  /** /proc/<pid>/stat of this run's ffmpeg, opened on the first sample (see cpuSeconds). */
  private statFd: number | null = null;
  private exited: Promise<void>;
  private resolveExited!: () => void;

  constructor(ffmpegPath: string, plan: CommandPlan, handlers: PipelineHandlers) {
    this.exited = new Promise((r) => (this.resolveExited = r));
    // ffmpeg's stdout is piped into a plain Writable that splits as it is written to: a
    // PassThrough would add a readable side (a push and a 'data' event per chunk) for nothing.
    const out = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const jpeg of this.splitter.push(chunk)) {
          this.frames++;
          handlers.onFrame(jpeg);
        }
        done();
      },
    });
    // fluent-ffmpeg keeps `stdoutLines` of stderr per run, 0 meaning unlimited: ffmpeg's progress
    // line every stats period would pile up for the life of the run (memory and GC work). Our
    // 'stderr' handler keeps what it needs, so keep one line (the minimum it accepts).
    this.command = ffmpeg({ stdoutLines: 1 })
      .setFfmpegPath(ffmpegPath)
      .input(plan.input)
      .inputOptions(plan.inputOptions)
      .output('/dev/null')
      .outputOptions([...plan.countOptions, '-y'])
      .output(out, { end: true })
      .outputOptions(plan.snapshotOptions);
    this.command.on('stderr', (line: string) => {
      const stats = STATS.exec(line);
      if (stats) {
        const unit = stats[2] === 'B' ? 1 : 1024;
        handlers.onInputBytes(Number(stats[1]) * unit);
        return;
      }
      const m = LEVEL.exec(line);
      const text = (m ? m[2]! : line).trim();
      if (!text) return;
      this.lastLine = text;
      if (m && (m[1] === 'error' || m[1] === 'fatal')) {
        this.errors.push(text);
        if (this.errors.length > 5) this.errors.shift();
      }
    });
    const finish = (err: Error | null) => {
      this.closeStat();
      handlers.onExit({
        reason: this.reason(err),
        frames: this.frames,
        stopped: this.stopping,
        clean: err === null && this.errors.length === 0 && !this.stopping,
      });
      this.resolveExited();
    };
    // stop() may come while fluent-ffmpeg is still preparing (before the spawn): kill on start.
    this.command.on('start', () => {
      if (this.stopping) this.command.kill('SIGKILL');
      else handlers.onStart?.(this.pid);
    });
    this.command.on('error', (err: Error) => finish(err));
    this.command.on('end', () => finish(null));
    this.command.run();
  }

  get pid(): number | undefined {
    return (this.command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
  }

  /** CPU seconds (user + system) this ffmpeg has used, from /proc; null where unavailable. */
  cpuSeconds(): number | null {
    const pid = this.pid;
    if (pid === undefined) return null;
    try {
      // Synchronous: procfs answers from memory in microseconds, where a thread-pool read costs
      // several hand-offs for every camera every sample. The file stays open for the run and is
      // read again from offset 0 (procfs renders it anew on each read): the path walk of an
      // open and a close per sample cost as much as the read.
      this.statFd ??= openSync(`/proc/${pid}/stat`, 'r');
      const n = readSync(this.statFd, STAT_BUFFER, 0, STAT_BUFFER.length, 0);
      const stat = STAT_BUFFER.toString('latin1', 0, n);
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of the file, 12 and 13 after "pid (comm) ".
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    } catch {
      return null;
    }
  }

  private closeStat(): void {
    if (this.statFd === null) return;
    try {
      closeSync(this.statFd);
    } catch {
      // Already closed: nothing held.
    }
    this.statFd = null;
  }

  private reason(err: Error | null): string {
    // The first errors name the cause; later ones are consequences ("Error initializing ...").
    if (this.errors.length > 0) return this.errors.slice(0, 2).join('; ');
    if (err) {
      const m = /ffmpeg exited with code (\d+)/.exec(err.message);
      if (m) return `ffmpeg exited with code ${m[1]}${this.lastLine ? `: ${this.lastLine}` : ''}`;
      return err.message.split('\n')[0]!;
    }
    return this.lastLine ? `source ended: ${this.lastLine}` : 'source ended';
  }

  /** Kills ffmpeg and resolves once it has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.pid !== undefined) this.command.kill('SIGKILL');
    await this.exited;
  }
}

/** One buffer for every pipeline's stat reads: they are synchronous, so never interleave. */
const STAT_BUFFER = Buffer.allocUnsafe(1024);

/** Linux USER_HZ; 100 on every mainstream kernel configuration. */
const CLOCK_TICKS = 100;
