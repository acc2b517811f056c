import type { Logger } from 'pino';

export interface PeriodicJob {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/** Runs `prune` now and then every `everyMs`; failures are logged and retried at the next turn. */
export function startOutboxRetention(options: {
  readonly prune: () => Promise<number>;
  readonly everyMs: number;
  readonly logger: Logger;
}): PeriodicJob {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= options
      .prune()
      .then((removed) => {
        if (removed > 0) options.logger.debug({ removed }, 'outbox pruned');
      })
      .catch((error: unknown) => options.logger.warn({ err: error }, 'outbox pruning failed'))
      .finally(() => {
        running = null;
      });
  };
  run();
  const timer = setInterval(run, options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
