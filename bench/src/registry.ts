import type { Scenario } from './scenario.js';
import { floor } from './scenarios/floor.js';
import { s1Capacity } from './scenarios/s1-capacity.js';
import { s2MessageStorm } from './scenarios/s2-message-storm.js';
import { s3IdleConnections } from './scenarios/s3-idle-connections.js';
import { s4ReconnectStorm } from './scenarios/s4-reconnect-storm.js';
import { s5RoomOpen } from './scenarios/s5-room-open.js';
import { s7NatsCluster } from './scenarios/s7-nats-cluster.js';
import { synapseReference } from './scenarios/synapse.js';

/**
 * Every scenario the CLI knows, in the order a run without names runs them. A new scenario is one
 * module under `scenarios/` exporting a `Scenario`, added here.
 */
export const SCENARIOS: readonly Scenario[] = [
  s1Capacity,
  s2MessageStorm,
  s3IdleConnections,
  s4ReconnectStorm,
  s5RoomOpen,
  s7NatsCluster,
  floor,
  synapseReference,
];

export function scenarioNamed(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
