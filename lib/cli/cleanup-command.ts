import { cleanupSandboxRuns } from '../cluster/sandbox/cleanup.ts';
import { parseOptions } from './main.ts';

export async function cleanupCommand(args: readonly string[]): Promise<number> {
  const { values } = parseOptions(args, { all: { type: 'boolean', default: false } });
  const report = await cleanupSandboxRuns({ all: values.all === true });
  const removed = report.runs.length + report.namespaces.length + report.processes.length;
  process.stdout.write(
    removed === 0
      ? 'cpchaos cleanup: nothing to clean up\n'
      : `cpchaos cleanup: removed ${report.runs.length} run(s), ${report.namespaces.length} namespace(s), killed ${report.processes.length} process(es)\n`,
  );
  if (report.skippedLiveRuns.length > 0) {
    process.stdout.write(`cpchaos cleanup: left ${report.skippedLiveRuns.length} live run(s) alone: ${report.skippedLiveRuns.join(', ')} (--all removes them too)\n`);
  }
  return 0;
}
