/**
 * Child process entry: `node seed-main.js <spec> <target-json>` seeds one database. Run apart from
 * the load generator so the server's modules never load into the process that measures.
 */
import { planDataset } from './plan.js';
import { seedDatabase } from './seed-database.js';
import type { DatabaseTarget } from './server-modules.js';
import { FULL, QUICK } from './spec.js';

const [specName, targetJson] = process.argv.slice(2);
if ((specName !== 'quick' && specName !== 'full') || !targetJson) {
  process.stderr.write('usage: seed-main.js quick|full <target-json>\n');
  process.exit(2);
}
const started = Date.now();
await seedDatabase(
  planDataset(specName === 'quick' ? QUICK : FULL),
  JSON.parse(targetJson) as DatabaseTarget,
  (line) =>
    process.stderr.write(`  seed ${specName}: ${line} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`),
);
