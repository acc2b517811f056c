#!/usr/bin/env node
/** Process entry: run the CLI, exit with its code, or keep serving until SIGTERM/SIGINT. */
import { runCli } from './cli.js';
import { ConfigError } from './config/config.js';
import { ChatError } from './domain/shared/errors.js';

try {
  const result = await runCli(process.argv.slice(2), {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  });
  if ('exitCode' in result) process.exit(result.exitCode);

  const parley = result.serving;
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    parley.http.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Whatever is still open after 10 s is cut off, so an orchestrator's stop never hangs.
    setTimeout(() => process.exit(1), 10_000).unref();
    parley.close().then(
      () => process.exit(0),
      (error: unknown) => {
        parley.http.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
} catch (error) {
  // A bad configuration or a refused CLI action is the operator's to fix: one clear line.
  if (error instanceof ConfigError || error instanceof ChatError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
