import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';

/**
 * Runs a full garbage collection in another Node process through its inspector, so memory is read
 * as what is retained, not what happens to be uncollected. The process must have been started with
 * `--inspect-port=127.0.0.1:<port>`; `SIGUSR1` turns the inspector on (Node's default handler),
 * which is why nothing listens on that port before the first call.
 */
export async function collectGarbage(pid: number, port: number): Promise<void> {
  process.kill(pid, 'SIGUSR1');
  let url: string | undefined;
  for (let attempt = 0; attempt < 50 && !url; attempt++) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
        webSocketDebuggerUrl?: string;
      }[];
      url = targets[0]?.webSocketDebuggerUrl;
    } catch {
      await sleep(100);
    }
  }
  if (!url) throw new Error(`the inspector of process ${pid} did not open on port ${port}`);
  const socket = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    socket.on('message', (data: Buffer) => {
      const answer = JSON.parse(data.toString('utf8')) as { id?: number; error?: unknown };
      if (answer.id !== 1) return;
      socket.close();
      if (answer.error) reject(new Error(`collectGarbage: ${JSON.stringify(answer.error)}`));
      else resolve();
    });
    socket.once('error', reject);
  });
}
