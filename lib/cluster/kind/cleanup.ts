// The kind part of `cpchaos cleanup`: the cluster of a killed kind run (named for its run id), then the other
// `kind get clusters` names with the cpchaos- prefix that no journal here names. Those may be live runs of another
// workspace on the same Docker host (another CPCHAOS_STATE_DIR, another user, another CI job): each is judged by the
// owner marker its run wrote into its node containers (owner-marker.ts). Deleted only when the marker names an owner
// on this host that is gone; kept (and said so) when that owner is alive; left for a person when no marker can be
// read or it names another host, whose processes cannot be checked from here. Without kind (or Docker), clusters
// cannot be listed: a kind run's journal is then kept for a later cleanup, and orphans are not looked for.
import { hostname } from 'node:os';
import { isOwnerAlive, processStartTicks } from '../../faults/journal.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';
import { NOTHING_REAPED } from '../core/reaper.ts';
import { CLUSTER_PREFIX, clusterNameFor } from './kind-config.ts';
import { KindCli } from './kind-cli.ts';
import { DockerCli } from './docker-cli.ts';
import { readOwnerMarker, type OwnerMarker } from './owner-marker.ts';
import { ToolRunner, type ToolOptions } from './tools.ts';

async function listClusters(kind: KindCli, signal?: AbortSignal): Promise<{ clusters: string[] } | { unavailable: string }> {
  try {
    return { clusters: (await kind.getClusters(signal)).filter((name) => name.startsWith(CLUSTER_PREFIX)) };
  } catch (error) {
    signal?.throwIfAborted();
    return { unavailable: error instanceof SetupError ? 'kind is not installed' : errorMessage(error) };
  }
}

async function deleteClusters(kind: KindCli, names: readonly string[], signal?: AbortSignal): Promise<ReapOutcome> {
  const done: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    try {
      await kind.deleteCluster(name, undefined, signal);
      done.push(`deleted kind cluster ${name}`);
    } catch (error) {
      signal?.throwIfAborted();
      failed.push(`could not delete kind cluster ${name}: ${errorMessage(error)}`);
    }
  }
  return { done, failed, leftForPerson: [], ...(failed.length > 0 ? { keepJournal: true } : {}) };
}

/** How long the look-up of one cluster's owner (its nodes, then their markers) may take. */
export const OWNER_LOOKUP_TIMEOUT_MS = 20_000;

export interface KindCleanupOptions extends ToolOptions {
  /** Deadline of one orphan cluster's owner look-up; default OWNER_LOOKUP_TIMEOUT_MS. */
  readonly ownerLookupTimeoutMs?: number;
}

type Verdict = { readonly abandoned: string } | { readonly live: string } | { readonly unknown: string };

function ownerOf(marker: OwnerMarker): string {
  return `run ${marker.runId} of ${marker.stateRoot}`;
}

/**
 * A pid and its start time only mean something on the host they were read on. What this cannot tell: two
 * containers with one hostname and separate pid namespaces (both running cpchaos against one Docker socket).
 */
function judge(cluster: string, marker: OwnerMarker): Verdict {
  if (clusterNameFor(marker.runId) !== cluster) {
    return { unknown: `its owner marker names run ${marker.runId}, whose cluster would be ${clusterNameFor(marker.runId)}` };
  }
  if (marker.hostname !== hostname()) {
    return { unknown: `its owner marker names ${ownerOf(marker)} on host ${marker.hostname}, whose processes cannot be checked from here` };
  }
  // Without start times (no /proc here, or none where the marker was written: the journal then says 0) a pid could
  // be anyone's.
  if (marker.ownerStartTicks === 0 || processStartTicks(process.pid) === undefined) {
    return { unknown: `the start time of ${ownerOf(marker)}'s owner (pid ${marker.ownerPid}) cannot be compared here` };
  }
  if (isOwnerAlive(marker.ownerPid, marker.ownerStartTicks)) return { live: `${ownerOf(marker)} is live (pid ${marker.ownerPid})` };
  return { abandoned: `${ownerOf(marker)}, whose owner (pid ${marker.ownerPid}) is gone` };
}

async function reapOrphans(
  kind: KindCli,
  docker: DockerCli,
  journaledRunIds: ReadonlySet<string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ReapOutcome> {
  const listed = await listClusters(kind, signal);
  if ('unavailable' in listed) return NOTHING_REAPED;
  const done: string[] = [];
  const failed: string[] = [];
  const leftForPerson: string[] = [];
  const skipped: string[] = [];
  for (const name of listed.clusters) {
    if (journaledRunIds.has(name.slice(CLUSTER_PREFIX.length))) continue;
    const lookup = await readOwnerMarker(kind, docker, name, { timeoutMs, signal });
    const verdict: Verdict = 'marker' in lookup ? judge(name, lookup.marker) : { unknown: lookup.unreadable };
    if ('live' in verdict) {
      skipped.push(`kind cluster ${name} left: ${verdict.live}`);
    } else if ('unknown' in verdict) {
      leftForPerson.push(
        `kind cluster ${name}: cannot tell whether a run still uses it (${verdict.unknown}); if none does: kind delete cluster --name ${name}`,
      );
    } else {
      const outcome = await deleteClusters(kind, [name], signal);
      done.push(...outcome.done.map((line) => `${line} (abandoned: ${verdict.abandoned})`));
      failed.push(...outcome.failed);
    }
  }
  return { done, failed, leftForPerson, skipped };
}

export function kindCleanup(options: KindCleanupOptions = {}): CleanupHandler {
  const tools = new ToolRunner(options);
  const kind = new KindCli(tools);
  const docker = new DockerCli(tools);
  const lookupTimeoutMs = options.ownerLookupTimeoutMs ?? OWNER_LOOKUP_TIMEOUT_MS;
  return {
    provider: 'kind',
    async reapRun(run: LeftRun, signal?: AbortSignal): Promise<ReapOutcome> {
      const listed = await listClusters(kind, signal);
      if ('unavailable' in listed) {
        return {
          ...NOTHING_REAPED,
          failed: [`cannot list kind clusters (${listed.unavailable}): kept run ${run.runId} for a later cleanup`],
          keepJournal: true,
        };
      }
      const name = clusterNameFor(run.runId);
      return deleteClusters(kind, listed.clusters.includes(name) ? [name] : [], signal);
    },
    reapOrphans: (journaledRunIds, signal) => reapOrphans(kind, docker, journaledRunIds, lookupTimeoutMs, signal),
  };
}
