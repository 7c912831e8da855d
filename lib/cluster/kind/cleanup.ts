// The kind part of `cpchaos cleanup`: the cluster of a killed kind run (named for its run id), then every other
// `kind get clusters` name with the cpchaos- prefix that no live run owns. Without kind (or Docker), clusters
// cannot be listed: a kind run's journal is then kept for a later cleanup, and orphans are not looked for.
import { errorMessage, SetupError } from '../../util/errors.ts';
import type { CleanupHandler, LeftRun, ReapOutcome } from '../core/reaper.ts';
import { NOTHING_REAPED } from '../core/reaper.ts';
import { CLUSTER_PREFIX, clusterNameFor } from './kind-config.ts';
import { KindCli } from './kind-cli.ts';
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

export function kindCleanup(options: ToolOptions = {}): CleanupHandler {
  const kind = new KindCli(new ToolRunner(options));
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
    async reapOrphans(journaledRunIds: ReadonlySet<string>, signal?: AbortSignal): Promise<ReapOutcome> {
      const listed = await listClusters(kind, signal);
      if ('unavailable' in listed) return NOTHING_REAPED;
      const orphans = listed.clusters.filter((name) => !journaledRunIds.has(name.slice(CLUSTER_PREFIX.length)));
      const outcome = await deleteClusters(kind, orphans, signal);
      return { done: outcome.done, failed: outcome.failed, leftForPerson: [] };
    },
  };
}
