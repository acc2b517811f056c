import { execFileSync } from 'node:child_process';
import { pinnedCommand } from './pinning.js';

/**
 * §6.7's calibration: SHA-256 of 1 KiB in a loop for `ms` on the server's core, in a fresh process.
 * Runs whose calibration differs by more than 10 % measured a different machine speed.
 */
export function calibrate(core: string | null, ms: number): number {
  const script = `
    const { createHash } = require('node:crypto');
    const block = Buffer.alloc(1024, 7);
    const end = Date.now() + ${ms};
    let n = 0;
    while (Date.now() < end) { for (let i = 0; i < 100; i++) createHash('sha256').update(block).digest(); n += 100; }
    process.stdout.write(String(Math.round(n / (${ms} / 1000))));`;
  const { command, args } = pinnedCommand(core, process.execPath, ['-e', script]);
  return Number(execFileSync(command, args, { encoding: 'utf8' }));
}
