import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RESULTS_DIR } from '../paths.js';
import { markdownSummary, type RunReport } from './summary.js';

/** `2026-12-02T0854Z`: sortable, safe in a file name, one per minute. */
function stamp(date: Date): string {
  return date.toISOString().slice(0, 16).replace(':', '') + 'Z';
}

/**
 * Writes `<stamp>-<scenario>.json` per scenario (every raw figure, machine, commit),
 * `<stamp>-summary.md`, and with `--quick` also `latest.json` (headline figures per scenario and
 * backend). Returns the summary and the paths written.
 */
export async function writeResults(report: RunReport): Promise<{ markdown: string; files: string[] }> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const prefix = join(RESULTS_DIR, stamp(report.startedAt));
  const files: string[] = [];
  const common = {
    startedAt: report.startedAt.toISOString(),
    quick: report.quick,
    machine: report.machine,
    dataset: report.dataset,
    calibration: report.calibration,
  };
  for (const scenario of new Set(report.runs.map((r) => r.scenario))) {
    const file = `${prefix}-${scenario}.json`;
    const runs = report.runs.filter((r) => r.scenario === scenario);
    await writeFile(
      file,
      `${JSON.stringify({ ...common, scenario, runs, comparisons: report.comparisons }, null, 2)}\n`,
    );
    files.push(file);
  }
  const markdown = markdownSummary(report);
  await writeFile(`${prefix}-summary.md`, markdown);
  files.push(`${prefix}-summary.md`);
  if (report.quick) {
    const scenarios: Record<string, unknown> = {};
    for (const run of report.runs) {
      scenarios[run.backend ? `${run.scenario}/${run.backend}` : run.scenario] = {
        ...run.figures,
        durability: run.durability,
        valid: run.valid,
        gatesFailed: run.gatesFailed,
      };
    }
    const latest = join(RESULTS_DIR, 'latest.json');
    await writeFile(
      latest,
      `${JSON.stringify({ ...common, scenarios, comparisons: report.comparisons }, null, 2)}\n`,
    );
    files.push(latest);
  }
  return { markdown, files };
}
