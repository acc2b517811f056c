import { describe, expect, it } from 'vitest';
import { bodyPool } from './words.js';
import { roomHistory } from './history.js';
import { planDataset } from './plan.js';
import { QUICK } from './spec.js';

describe('the seeded data set plan', () => {
  const plan = planDataset(QUICK);

  it('is the same on every build', () => {
    expect(planDataset(QUICK)).toEqual(plan);
  });

  it('has the rooms the spec asks for, each kind once', () => {
    const count = (kind: string) => plan.rooms.filter((r) => r.kind === kind).length;
    expect(plan.users).toHaveLength(QUICK.users);
    expect([count('general'), count('team'), count('hot')]).toEqual([1, QUICK.teamChannels.count, 1]);
    expect(count('dm')).toBe(QUICK.directMessages);
    expect(count('group-dm')).toBe(QUICK.groupDirectMessages);
    for (const room of plan.rooms.filter((r) => r.kind === 'team')) {
      expect(room.members.length).toBeGreaterThanOrEqual(QUICK.teamChannels.minMembers);
      expect(room.members.length).toBeLessThanOrEqual(QUICK.teamChannels.maxMembers);
    }
    expect(new Set(plan.rooms.map((r) => r.id)).size).toBe(plan.rooms.length);
  });

  it("gives a 1:1 DM Parley's id: the two user ids sorted and concatenated", () => {
    const dm = plan.rooms.find((r) => r.kind === 'dm');
    const ids = dm?.members.map((m) => plan.users[m]?.id ?? '').sort();
    expect(dm?.id).toBe(ids?.join(''));
  });

  it('holds the whole history, with the hot room at its size and thread replies in the same room', () => {
    const total = plan.rooms.reduce((a, r) => a + r.messages, 0);
    expect(total).toBe(QUICK.history.messages + QUICK.hotRoom.messages);
    const team = plan.rooms.find((r) => r.kind === 'team' && r.messages > 100);
    if (!team) throw new Error('no team channel with history');
    const { messages, threads } = roomHistory(
      QUICK,
      team,
      plan.users.map((u) => u.username),
      bodyPool(QUICK.seed),
    );
    const ids = new Set(messages.map((m) => m.id));
    expect(messages).toHaveLength(team.messages);
    expect(messages.every((m) => m.tmid === null || ids.has(m.tmid))).toBe(true);
    expect([...threads.values()].reduce((a, t) => a + t.count, 0)).toBe(
      messages.filter((m) => m.tmid !== null).length,
    );
  });
});
