// etcd leadership for the figures: leader changes and elections, from the recorder's etcd samples.
//
// The observer (lib/observe/cluster-observer.ts, sampleEtcd) samples membership and leader every interval but
// records a sample only when it differs from the previous one (a failed sample is recorded once per distinct
// error). So the history holds the first sample of each new state, never "the last sample with the old leader":
// an election is measured from the first sample that no longer showed the old leader (no leader, or a failed
// sample) to the first sample with a leader. A change from one leader straight to the next happened between two
// samples; it shows as an election of 0 ms (its real length is below one sampling interval, which the history does
// not record).
import type { History } from '../observe/history.ts';

/** Epoch ms. */
export interface EtcdElection {
  readonly fromMs: number;
  readonly toMs: number;
  readonly leader?: string;
}

/** Epoch ms: etcd samples failed from the first failure to the next sample that succeeded (or the end). */
export interface EtcdBlindStretch {
  readonly fromMs: number;
  readonly toMs: number;
  readonly what: string;
}

export interface EtcdFigures {
  /** Samples that showed membership (with or without a leader): failed samples are not counted. */
  readonly visibleSamples: number;
  /** The leader changed from one member to another (across failed or leaderless samples in between). */
  readonly leaderChanges: number;
  readonly elections: readonly EtcdElection[];
  readonly blind: readonly EtcdBlindStretch[];
}

/**
 * Elections: a stretch without a known leader that ended with a leader, a different leader (even when the samples
 * in between failed, so nothing showed the election itself), or a leaderless stretch still open at endT. A leader
 * that comes back after failed samples only (never a sample without a leader) was not seen losing leadership:
 * no election, the blind time is a recorder gap.
 */
export function etcdFigures(history: History, endT: number): EtcdFigures {
  let visibleSamples = 0;
  let leaderChanges = 0;
  const elections: EtcdElection[] = [];
  const blind: EtcdBlindStretch[] = [];
  let leader: string | undefined;
  /** The first sample since the last one with a leader that showed no leader or failed. */
  let lostAt: number | undefined;
  /** A sample since then showed membership without a leader. */
  let leaderless = false;
  let failing: { from: number; error: string } | undefined;
  for (const event of history) {
    if (event.kind !== 'etcd') continue;
    if (event.error !== undefined) {
      failing ??= { from: event.t, error: event.error };
      lostAt ??= event.t;
      continue;
    }
    visibleSamples += 1;
    if (failing !== undefined) {
      blind.push({ fromMs: failing.from, toMs: event.t, what: `etcd: ${failing.error}` });
      failing = undefined;
    }
    if (event.leader === undefined) {
      lostAt ??= event.t;
      leaderless = true;
      continue;
    }
    const changed = leader !== undefined && event.leader !== leader;
    if (changed) leaderChanges += 1;
    if (changed || leaderless) elections.push({ fromMs: lostAt ?? event.t, toMs: event.t, leader: event.leader });
    leader = event.leader;
    lostAt = undefined;
    leaderless = false;
  }
  if (leaderless && lostAt !== undefined) elections.push({ fromMs: lostAt, toMs: Math.max(endT, lostAt) });
  if (failing !== undefined) blind.push({ fromMs: failing.from, toMs: Math.max(endT, failing.from), what: `etcd: ${failing.error}` });
  return { visibleSamples, leaderChanges, elections, blind };
}
