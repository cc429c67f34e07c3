// /readyz: each configured dependency registers a check; ready only when all of them answer.
export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; ms: number; error?: string }>;
}

export class Readiness {
  private readonly checks = new Map<string, () => Promise<void>>();

  add(name: string, check: () => Promise<void>): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 3_000): Promise<ReadinessReport> {
    type Entry = [string, ReadinessReport['checks'][string]];
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<Entry> => {
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, { ok: true, ms: Math.round(performance.now() - t0) }];
        } catch (err) {
          return [name, { ok: false, ms: Math.round(performance.now() - t0), error: (err as Error).message }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ready: entries.every(([, c]) => c.ok), checks: Object.fromEntries(entries) };
  }
}
