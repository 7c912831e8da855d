import { cleanupKindClusters } from '../cluster/kind/cleanup.ts';
import { cleanupSandboxRuns } from '../cluster/sandbox/cleanup.ts';
import { parseOptions } from './options.ts';

export async function cleanupCommand(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { all: { type: 'boolean', default: false } });
  const all = values.all === true;
  // kind first: its leftovers are found through the same run journals the sandbox cleanup then deletes.
  const kind = await cleanupKindClusters({ all });
  const report = await cleanupSandboxRuns({ all });
  const removed = report.runs.length + report.namespaces.length + report.processes.length + kind.deleted.length;
  process.stdout.write(
    removed === 0
      ? 'cpchaos cleanup: nothing to clean up\n'
      : `cpchaos cleanup: removed ${report.runs.length} run(s), ${report.namespaces.length} namespace(s), killed ${report.processes.length} process(es), deleted ${kind.deleted.length} kind cluster(s)\n`,
  );
  for (const failure of kind.failed) process.stdout.write(`cpchaos cleanup: could not delete kind cluster ${failure.cluster}: ${failure.error}\n`);
  const skipped = [...report.skippedLiveRuns, ...kind.skippedLiveRuns];
  if (skipped.length > 0) {
    process.stdout.write(`cpchaos cleanup: left ${skipped.length} live run(s) alone: ${skipped.join(', ')} (--all removes them too)\n`);
  }
  return kind.failed.length > 0 ? 1 : 0;
}
