import type { Comparison, ScenarioRun } from '../scenario.js';
import type { MachineInfo } from '../system/machine.js';

export interface RunReport {
  readonly startedAt: Date;
  readonly quick: boolean;
  readonly machine: MachineInfo;
  readonly dataset: { readonly name: string; readonly hash: string };
  /** SHA-256 of 1 KiB per second on the server's core, before the scenarios. */
  readonly calibration: number;
  readonly runs: readonly ScenarioRun[];
  readonly comparisons: readonly Comparison[];
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The run in Markdown: one table per scenario, a column per backend, durability in the header. */
export function markdownSummary(report: RunReport): string {
  const { machine } = report;
  const lines: string[] = [
    `# Parley benchmark, ${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC${report.quick ? ' (--quick)' : ''}`,
    '',
    `Commit \`${machine.commit.slice(0, 12)}\`${machine.dirty ? ' with uncommitted changes' : ''}; Node ${machine.node}; ` +
      `${machine.cpuModel}, ${machine.cores} cores${machine.cpuMhz ? ` at ${machine.cpuMhz} MHz` : ''}, ${machine.memoryGiB} GiB; ` +
      `kernel ${machine.kernel}; \`ulimit -n\` ${machine.openFilesLimit}.`,
    machine.pinning.server === null
      ? 'Not pinned (no `taskset` or one core): server and load generator share the CPUs.'
      : `Server (and PostgreSQL backends) on core ${machine.pinning.server}, load generator on core ${machine.pinning.generator}.`,
    `Data set \`${report.dataset.name}\` (${report.dataset.hash}); calibration ${report.calibration.toLocaleString('en-US')} SHA-256/s of 1 KiB.`,
    'Loopback, no TLS; latencies from the scheduled send time (open loop).',
  ];
  const byScenario = new Map<string, ScenarioRun[]>();
  for (const run of report.runs) byScenario.set(run.scenario, [...(byScenario.get(run.scenario) ?? []), run]);
  for (const runs of byScenario.values()) {
    const first = runs[0] as ScenarioRun;
    lines.push('', `## ${first.title}`, '');
    const header = runs.map((r) => `${r.backend ?? first.scenario}: ${r.durability}`);
    lines.push(`| figure | ${header.map(cell).join(' | ')} |`, `|---|${runs.map(() => '---|').join('')}`);
    const labels = [...new Set(runs.flatMap((r) => r.summary.map(([label]) => label)))];
    for (const label of labels) {
      const values = runs.map((r) => r.summary.find(([l]) => l === label)?.[1] ?? '');
      lines.push(`| ${cell(label)} | ${values.map(cell).join(' | ')} |`);
    }
    lines.push(
      `| valid | ${runs.map((r) => (r.valid ? 'yes' : `**no**: ${cell(r.invalidReasons.join('; '))}`)).join(' | ')} |`,
      `| gates | ${runs.map((r) => (r.gatesFailed.length === 0 ? 'all held' : `failed: ${cell(r.gatesFailed.join('; '))}`)).join(' | ')} |`,
      `| duration | ${runs.map((r) => `${(r.durationMs / 1000).toFixed(1)} s`).join(' | ')} |`,
    );
  }
  if (report.comparisons.length > 0) {
    lines.push('', '## Ratios within this run', '');
    for (const c of report.comparisons) lines.push(`- **${c.label}**: ${c.explanation}`);
  }
  return `${lines.join('\n')}\n`;
}
