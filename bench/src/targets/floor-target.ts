import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE_DIR } from '../paths.js';
import { freePort, spawnPinned, waitUntilReady, type RunningServer } from './running-server.js';

/** Starts the floor server (`floor-server/main.ts`) pinned to `core`. */
export async function startFloorServer(options: { readonly core: string | null }): Promise<RunningServer> {
  const port = await freePort();
  const logFile = join(CACHE_DIR, 'logs', `floor-${Date.now()}.log`);
  const server = await spawnPinned({
    core: options.core,
    command: process.execPath,
    args: [fileURLToPath(new URL('../floor-server/main.js', import.meta.url)), String(port)],
    env: process.env,
    logFile,
  });
  const httpUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(httpUrl, server, logFile);
  return {
    httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/websocket`,
    metricsUrl: null,
    durability: 'none (memory only)',
    logFile,
    mainPid: server.pid,
    pids: () => Promise.resolve([server.pid]),
    stop: () => server.stop(),
    kill: () => server.kill(),
  };
}
