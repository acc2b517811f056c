/**
 * Command line of the Synapse reference (launched by `run.mjs` and `setup` beside this file):
 *
 *   run [--quick] [--pg] [--rate N | --rates 5,10,20] [--duration S] [--senders N] [--receivers N]
 *       [--core C] [--driver-core C] [--log-level INFO|WARNING]     S2 against Synapse, JSON on stdout
 *   install                                                        create/reuse the venv, print its info
 *   smoke [--pg] [--core C] [--keep]                               start, wait for the API, print, stop
 *   serve [--pg] [--core C] [--port P] [--keep]                    start and keep running until Ctrl-C
 *
 * `run` pins Synapse to core 0 and this driver process to core 1 when the machine has two or more.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { runSynapseS2, type SynapseS2Result } from './driver.js';
import { ensureSynapseVenv, startSynapse } from './setup.js';

export async function main(argv: readonly string[]): Promise<void> {
  const cmd = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'run';
  const has = (f: string): boolean => argv.includes(f);
  const val = (f: string): string | undefined => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (f: string): number | undefined => {
    const v = val(f);
    return v === undefined ? undefined : Number(v);
  };
  const print = (x: unknown): void => void process.stdout.write(JSON.stringify(x, null, 2) + '\n');
  const db = has('--pg') ? 'postgres' : 'sqlite';
  const logLevel = val('--log-level') as 'INFO' | 'WARNING' | 'ERROR' | undefined;

  if (cmd === 'install') return print(await ensureSynapseVenv());
  if (cmd === 'smoke' || cmd === 'serve') {
    const port = num('--port');
    const inst = await startSynapse({
      db,
      core: val('--core') ?? null,
      keepData: has('--keep'),
      ...(port ? { port } : {}),
      ...(logLevel ? { logLevel } : {}),
    });
    const { stop, pids: _p, pgBackendPids: _b, ...info } = inst;
    print(info);
    if (cmd === 'serve')
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    return stop();
  }
  if (cmd !== 'run') throw new Error(`unknown command ${cmd}: run | install | smoke | serve`);

  const multi = availableParallelism() > 1;
  const core = val('--core') ?? (multi ? '0' : null);
  const driverCore = val('--driver-core') ?? (multi ? '1' : null);
  // every thread of this process (main, libuv pool, V8 helpers)
  if (driverCore !== null)
    spawnSync('taskset', ['-a', '-p', '-c', driverCore, String(process.pid)], { stdio: 'ignore' });
  const t0 = Date.now();
  const duration = num('--duration');
  const senders = num('--senders');
  const receivers = num('--receivers');
  const common = {
    quick: has('--quick'),
    db,
    core,
    ...(duration ? { durationSec: duration } : {}),
    ...(senders ? { senders } : {}),
    ...(receivers ? { receivers } : {}),
    ...(logLevel ? { logLevel } : {}),
  } as const;
  const tag = (r: SynapseS2Result): SynapseS2Result & { driverCore: string | null } => ({ ...r, driverCore });
  const rates = val('--rates');
  if (rates) {
    const inst = await startSynapse({ db, core, ...(logLevel ? { logLevel } : {}) });
    try {
      const steps = [];
      for (const rate of rates.split(',').map(Number))
        steps.push(tag(await runSynapseS2({ ...common, rate, instance: inst })));
      print({ steps, totalSec: (Date.now() - t0) / 1000 });
    } finally {
      await inst.stop();
    }
    return;
  }
  const rate = num('--rate');
  const r = await runSynapseS2({ ...common, ...(rate ? { rate } : {}) });
  print({ ...tag(r), totalSec: (Date.now() - t0) / 1000 });
}
