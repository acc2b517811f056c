/**
 * The seeded data sets of the benchmark design (§6.2: Mattermost's generator as the model): who
 * exists, which rooms, how much history. `full` is the design's size; `quick` keeps every shape (all room
 * kinds, threads, mentions, the 100,000-message room) at a tenth of the population.
 */
export interface DatasetSpec {
  readonly name: 'quick' | 'full';
  readonly seed: number;
  readonly users: number;
  /** Team channels, sizes log-normal around `medianMembers`, clipped to [min, max]. */
  readonly teamChannels: {
    readonly count: number;
    readonly minMembers: number;
    readonly maxMembers: number;
    readonly medianMembers: number;
    readonly sigma: number;
  };
  /** 1:1 DMs between random pairs. */
  readonly directMessages: number;
  /** Group DMs of 3–8 members. */
  readonly groupDirectMessages: number;
  readonly history: {
    readonly messages: number;
    /** Share of the history in channels (Zipf over them); the rest is spread evenly over DMs. */
    readonly channelShare: number;
    readonly zipfExponent: number;
    readonly threadReplyShare: number;
    readonly mentionShare: number;
    /** The history spans this many days before the data set's clock. */
    readonly days: number;
  };
  /** One channel with a long history, for room-open and paging (S5). */
  readonly hotRoom: { readonly members: number; readonly messages: number };
}

/** The data set's clock: every timestamp is at or before it, so builds are byte-for-byte alike. */
export const DATASET_EPOCH_MS = Date.UTC(2026, 0, 1);

/** Every seeded user's password (the hash is computed once and shared). */
export const DATASET_PASSWORD = 'parley-bench-password';

export const FULL: DatasetSpec = {
  name: 'full',
  seed: 20260101,
  users: 10_000,
  teamChannels: { count: 200, minMembers: 50, maxMembers: 500, medianMembers: 220, sigma: 0.55 },
  directMessages: 20_000,
  groupDirectMessages: 3_000,
  history: {
    messages: 2_000_000,
    channelShare: 0.7,
    zipfExponent: 1,
    threadReplyShare: 0.15,
    mentionShare: 0.02,
    days: 90,
  },
  hotRoom: { members: 100, messages: 100_000 },
};

export const QUICK: DatasetSpec = {
  name: 'quick',
  seed: 20260101,
  users: 1_000,
  teamChannels: { count: 20, minMembers: 10, maxMembers: 100, medianMembers: 40, sigma: 0.55 },
  directMessages: 2_000,
  groupDirectMessages: 300,
  history: { ...FULL.history, messages: 20_000 },
  hotRoom: { members: 100, messages: 100_000 },
};
