import { parseArgs } from 'node:util';
import type { Backend } from './scenario.js';

export const USAGE = `Usage: npm run bench -- [scenario…] [--quick] [--backend sqlite|postgres|both] [--rebuild-dataset]

Scenarios (all when none is named): NAMES
  --quick              the small data set and short steps: everyday figures in minutes, writes results/latest.json
  --backend            which database Parley runs on (default both); scenarios without one run once
  --rebuild-dataset    build the data set again even if a cached copy matches`;

export interface BenchArgs {
  readonly scenarios: readonly string[];
  readonly quick: boolean;
  readonly backends: readonly Backend[];
  readonly rebuildDataset: boolean;
  readonly help: boolean;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'both' },
      'rebuild-dataset': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const backend = values.backend;
  if (backend !== 'sqlite' && backend !== 'postgres' && backend !== 'both')
    throw new Error(`--backend must be sqlite, postgres or both, not ${backend}`);
  return {
    scenarios: positionals,
    quick: values.quick,
    backends: backend === 'both' ? ['sqlite', 'postgres'] : [backend],
    rebuildDataset: values['rebuild-dataset'],
    help: values.help,
  };
}
