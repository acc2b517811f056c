import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcesses } from '../system/sampler.js';
import { pinnedCommand } from '../system/pinning.js';

/** A server under test, running as its own process: Parley, the floor server, later Synapse. */
export interface RunningServer extends ServerProcesses {
  /** `http://127.0.0.1:<port>` */
  readonly httpUrl: string;
  /** The DDP endpoint, `ws://127.0.0.1:<port>/websocket`. */
  readonly wsUrl: string;
  /** Prometheus text at `/metrics`, when the server has it. */
  readonly metricsUrl: string | null;
  readonly durability: string;
  readonly logFile: string;
  /** SIGTERM, then SIGKILL after 10 s: a clean shutdown. */
  stop(): Promise<void>;
  /** SIGKILL at once: a crash, for reconnect storms. */
  kill(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  exited(): boolean;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `command` pinned to `core`, its output appended to `logFile`. */
export async function spawnPinned(options: {
  readonly core: string | null;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logFile: string;
}): Promise<SpawnedProcess> {
  await mkdir(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const { command, args } = pinnedCommand(options.core, options.command, options.args);
  const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exitedFlag = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exitedFlag = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  if (child.pid === undefined) throw new Error(`${options.command} did not start`);
  return {
    child,
    // `taskset -c` execs the command: the pid is the server's own.
    pid: child.pid,
    exited: () => exitedFlag,
    async kill() {
      if (exitedFlag) return;
      child.kill('SIGKILL');
      await exit;
    },
    async stop() {
      if (exitedFlag) return;
      child.kill('SIGTERM');
      const killed = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** Polls `url` until it answers 2xx; throws with the log's tail if the process exits or time runs out. */
export async function waitUntilReady(
  url: string,
  server: SpawnedProcess,
  logFile: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exited()) break;
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const tail = (await readFile(logFile, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
  await server.stop();
  throw new Error(`${url} did not become ready; the log ends with:\n${tail}`);
}
