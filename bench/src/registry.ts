import type { Scenario } from './scenario.js';
import { floor } from './scenarios/floor.js';
import { s2MessageStorm } from './scenarios/s2-message-storm.js';
import { s3IdleConnections } from './scenarios/s3-idle-connections.js';

/**
 * Every scenario the CLI knows, in the order a run without names runs them. A new scenario is one
 * module under `scenarios/` exporting a `Scenario`, added here.
 */
export const SCENARIOS: readonly Scenario[] = [s2MessageStorm, s3IdleConnections, floor];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
