// One run of a camera's live restream ffmpeg (fluent-ffmpeg): the HLS muxer writes segments and
// the playlist into the restream's directory; stderr says when the playlist was rewritten (a
// segment completed) and, on failure, why. The process is tied to this one (`setpriv --pdeathsig`):
// it writes files, not a pipe, so without that it would outlive a SIGKILLed worker.
import ffmpeg from 'fluent-ffmpeg';
import { tiedCommand } from './demo/tied-spawn.ts';
import { PLAYLIST_NAME, type RestreamPlan } from './restream-command.ts';

export interface RestreamExit {
  /** ffmpeg's own words: its first error lines, or how it ended. */
  reason: string;
  /** Playlist updates (completed segments) this run wrote. */
  segments: number;
}

export interface RestreamHandlers {
  /** A segment completed and the playlist now lists it. */
  onSegment(): void;
  onExit(exit: RestreamExit): void;
  onStart?(pid: number | undefined): void;
}

let capabilities: Promise<void> | null = null;

/**
 * Before each run fluent-ffmpeg checks the output format and encoders by running its binary with
 * `-formats` and `-encoders`, and caches the answers for the process. Our binary is setpriv, which
 * cannot answer those: fill that cache from the real ffmpeg first (once per process).
 */
export function warmCapabilities(ffmpegPath: string): Promise<void> {
  capabilities ??= new Promise<void>((resolve) => {
    const probe = ffmpeg().setFfmpegPath(ffmpegPath);
    probe.availableFormats(() => probe.availableEncoders(() => resolve()));
  });
  return capabilities;
}

const LEVEL = /^(?:\[[^\]]+ @ 0x[0-9a-f]+\] )*\[(fatal|error|warning|info)\] (.*)$/;
const PLAYLIST_WRITE = new RegExp(
  `Opening '[^']*${PLAYLIST_NAME.replace('.', '\\.')}(?:\\.tmp)?' for writing`,
);

export class RestreamPipeline {
  private readonly command: ffmpeg.FfmpegCommand;
  private readonly errors: string[] = [];
  private lastLine = '';
  private segments = 0;
  private stopping = false;
  private readonly exited: Promise<void>;
  private resolveExited!: () => void;

  constructor(ffmpegPath: string, plan: RestreamPlan, handlers: RestreamHandlers) {
    this.exited = new Promise((r) => (this.resolveExited = r));
    const tied = tiedCommand(ffmpegPath);
    // Keep one line of stderr in fluent-ffmpeg (the handler below keeps what it needs).
    this.command = ffmpeg({ stdoutLines: 1 })
      .setFfmpegPath(tied.path)
      .input(plan.input)
      .inputOptions([...tied.prefix, ...plan.inputOptions])
      .output(plan.output)
      .outputOptions(plan.outputOptions);
    this.command.on('stderr', (line: string) => {
      const m = LEVEL.exec(line);
      const text = (m ? m[2]! : line).trim();
      if (!text || text.startsWith('frame=')) return;
      if (PLAYLIST_WRITE.test(text)) {
        this.segments++;
        handlers.onSegment();
        return;
      }
      if (text.startsWith('Opening ') || text.startsWith('Skip (')) return;
      this.lastLine = text;
      if (m && (m[1] === 'error' || m[1] === 'fatal')) {
        this.errors.push(text);
        if (this.errors.length > 5) this.errors.shift();
      }
    });
    const finish = (err: Error | null) => {
      handlers.onExit({ reason: this.reason(err), segments: this.segments });
      this.resolveExited();
    };
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

  private reason(err: Error | null): string {
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
