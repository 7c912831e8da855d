import { cleanupExistingRuns } from '../cluster/existing/cleanup.ts';
import { cleanupKindClusters } from '../cluster/kind/cleanup.ts';
import { cleanupSandboxRuns } from '../cluster/sandbox/cleanup.ts';
import { runsRoot } from '../faults/journal.ts';
import { parseOptions } from './options.ts';

export async function cleanupCommand(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { all: { type: 'boolean', default: false } });
  const all = values.all === true;
  // Existing clusters and kind first: their leftovers are found through the same run journals the sandbox cleanup
  // then deletes (except those of runs whose faults a person must still undo).
  const existing = await cleanupExistingRuns({ all });
  for (const line of existing.undone) process.stdout.write(`cpchaos cleanup: undid ${line}\n`);
  for (const left of existing.leftovers) process.stdout.write(`cpchaos cleanup: run ${left.runId} on an existing cluster: ${left.what}\n`);
  for (const runId of existing.kept) process.stdout.write(`cpchaos cleanup: kept the journal of run ${runId} (${runsRoot()}/${runId}); remove it once the faults above are undone\n`);
  const kind = await cleanupKindClusters({ all });
  const report = await cleanupSandboxRuns({ all, keep: new Set(existing.kept) });
  const removed = report.runs.length + report.namespaces.length + report.processes.length + kind.deleted.length + existing.undone.length;
  process.stdout.write(
    removed === 0
      ? 'cpchaos cleanup: nothing to clean up\n'
      : `cpchaos cleanup: removed ${report.runs.length} run(s), ${report.namespaces.length} namespace(s), killed ${report.processes.length} process(es), deleted ${kind.deleted.length} kind cluster(s)\n`,
  );
  for (const failure of kind.failed) process.stdout.write(`cpchaos cleanup: could not delete kind cluster ${failure.cluster}: ${failure.error}\n`);
  const skipped = [...new Set([...report.skippedLiveRuns, ...kind.skippedLiveRuns, ...existing.skippedLiveRuns])];
  if (skipped.length > 0) {
    process.stdout.write(`cpchaos cleanup: left ${skipped.length} live run(s) alone: ${skipped.join(', ')} (--all removes them too)\n`);
  }
  return kind.failed.length > 0 || existing.kept.length > 0 ? 1 : 0;
}
