// Cleanup of kind clusters that killed runs left behind: every `kind get clusters` name with the cpchaos- prefix,
// except those of runs whose owner is still alive (their journal says so), unless `all`. Run this before the
// sandbox cleanup, which removes dead runs' folders (and with them the journals this reads).
import { join } from 'node:path';
import { isOwnerAlive, Journal, runsRoot } from '../../faults/journal.ts';
import { errorMessage, SetupError } from '../../util/errors.ts';
import { CLUSTER_PREFIX } from './kind-config.ts';
import { KindCli } from './kind-cli.ts';
import { ToolRunner, type ToolOptions } from './tools.ts';

export interface KindCleanupOptions extends ToolOptions {
  /** Delete clusters of live runs too. */
  readonly all?: boolean;
  /** Where run folders are; default the harness's runs root. */
  readonly runsRoot?: string;
  readonly signal?: AbortSignal;
}

export interface KindCleanupReport {
  readonly deleted: string[];
  readonly skippedLiveRuns: string[];
  readonly failed: { readonly cluster: string; readonly error: string }[];
  /** Why kind clusters could not be listed (kind not installed, Docker not running); undefined when they were. */
  readonly unavailable?: string;
}

function ownerAlive(runDir: string): boolean {
  const run = Journal.read(runDir).find((e) => e.type === 'run');
  return run !== undefined && run.type === 'run' && run.ownerPid !== process.pid && isOwnerAlive(run.ownerPid, run.ownerStartTicks);
}

export async function cleanupKindClusters(options: KindCleanupOptions = {}): Promise<KindCleanupReport> {
  const kind = new KindCli(new ToolRunner(options));
  let clusters: string[];
  try {
    clusters = await kind.getClusters(options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = error instanceof SetupError ? 'kind is not installed' : errorMessage(error);
    return { deleted: [], skippedLiveRuns: [], failed: [], unavailable: reason };
  }
  const report = { deleted: [] as string[], skippedLiveRuns: [] as string[], failed: [] as { cluster: string; error: string }[] };
  for (const cluster of clusters.filter((name) => name.startsWith(CLUSTER_PREFIX))) {
    const runId = cluster.slice(CLUSTER_PREFIX.length);
    if (!options.all && ownerAlive(join(options.runsRoot ?? runsRoot(), runId))) {
      report.skippedLiveRuns.push(cluster);
      continue;
    }
    try {
      await kind.deleteCluster(cluster, undefined, options.signal);
      report.deleted.push(cluster);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      report.failed.push({ cluster, error: errorMessage(error) });
    }
  }
  return report;
}
