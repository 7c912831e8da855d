// The cpchaos command line. The only place that prints and decides exit codes:
// 0 success, 1 a failed check, 2 bad input or setup.
// Commands are imported when they run, so a small command (sandbox fault, run by executors) starts fast.
import { SetupError, errorMessage } from '../util/errors.ts';
import { UsageError } from './options.ts';

export { UsageError, parseOptions } from './options.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

const USAGE = `usage: cpchaos <command> [options]

commands:
  run <files or folders> [--provider sandbox|kind|existing] [--tag T] [--grep PATTERN] [--seed HEX]
      [--repeat N] [--parallel N] [--until-failure] [--fail-fast] [--dry-run] [--reports DIR] [--promotion-policy MODULE]
      [--kubeconfig FILE] [--context NAME] [--executors FILE] [--allow-context NAME|FILE] [--kill-switch FILE]
      [--profile harvester-1.4|harvester-1.5|harvester-1.6|auto] [--kind-image IMAGE] [--kind-logs DIR]
      [--kind-config-dir DIR] [--allow-xpass] [--shard I/N] [--timings SUMMARY]
                         run scenarios, print verdicts, write reports (exit 1 when an invariant fails or a
                         known bug does not reproduce, 2 on bad input or a harness/environment error)
  merge <report folders...> [--reports DIR] [--allow-xpass]
                         merge the reports of several machines (shards) into one; exits as the run would
  compare <base> <candidate> [--threshold METRIC=+N|METRIC=+N%]... [--thresholds FILE] [--markdown FILE] [--html FILE]
                         compare two runs' reports (folders or summary.json): exit 1 when a verdict or the scenario
                         status went from passing to failing or error, or a metric rose over its threshold
  trend <report folders or summary.json files...> [--out FILE]
                         one HTML page of each scenario's metrics and pass rates run after run (default trend.html)
  matrix --policies reference,FILE,... <scenarios> [--seed HEX] [--reports DIR]
                         each scenario under each promotion policy on the sandbox, side by side (matrix.md, .json)
  check <history.json>   re-run the oracles over a saved history
  import-audit <audit logs...> [--reports DIR] [--profile harvester-1.4|harvester-1.5|harvester-1.6] [--run-id ID] [--strict]
                         judge a cluster's past from its Kubernetes audit log (audit.k8s.io/v1 JSON lines): writes
                         history.json and the report; exit as run does, 2 when no line could be used
  watch [--kubeconfig FILE] [--context NAME] [--until DURATION] [--reports DIR] [--profile P|auto] [--probe-writes]
                         judge a cluster live without touching it: records Nodes, promote Jobs and quorum reads,
                         prints violations as they happen, writes the report at the end (Ctrl-C or --until)
  validate               checker self-validation: run each faulty policy against the scenario that must catch it
  explore [--budget 10m] [--count N] [--seed HEX] [--max-steps N] [--promotion-policy MODULE] [--confirm K] [--out DIR]
                         generated fault schedules on the sandbox; a violation is confirmed, shrunk and written as
                         minimal.yaml (exit 1), none found exits 0
  sandbox up [--topology FILE] [--control-planes N] [--workers N] [--promotion-policy MODULE] [--profile plain|harvester]
      [--audit-log-dir DIR]
                         start a sandbox cluster and keep it running; prints a kubeconfig path (Ctrl-C stops it)
  sandbox down           stop the sandbox started by \`sandbox up\`
  sandbox fault|undo <kind> <nodes...> [--to NODE] [--run ID]
                         apply or undo a fault in the running sandbox (partition: groups, a comma joins nodes)
  sandbox etcd [--run ID]
                         print the running sandbox's etcd members and leader as JSON
  sandbox demo           start a sandbox, print its nodes, tear it down
  cleanup [--all]        undo whatever killed runs left behind (processes, namespaces, rules); namespaces no journal
                         here names go only once nothing uses them; --all: this workspace's live runs too
`;

/** Errors that mean bad input (exit code 2); named, so checking them needs no import of their modules. */
const BAD_INPUT_ERRORS = new Set(['ScenarioError', 'HistoryFormatError']);

/** Runs `work` with a signal that Ctrl-C (or SIGTERM) aborts, so the run undoes its faults and tears down. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write('cpchaos: interrupted: undoing faults and tearing down...\n');
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'sandbox': {
        const [sub, ...args] = rest;
        if (sub === 'fault' || sub === 'undo' || sub === 'etcd')
          return await (await import('./sandbox-control-command.ts')).sandboxControlCommand(sub, args);
        return await (await import('./sandbox-command.ts')).sandboxCommand(rest);
      }
      case 'cleanup':
        return await (await import('./cleanup-command.ts')).cleanupCommand(rest);
      case 'run': {
        const { runCommand } = await import('./run-command.ts');
        return await withInterrupt((signal) => runCommand(rest, signal));
      }
      case 'merge':
        return await (await import('./merge-command.ts')).mergeCommand(rest);
      case 'compare':
        return await (await import('./compare-command.ts')).compareCommand(rest);
      case 'trend':
        return await (await import('./trend-command.ts')).trendCommand(rest);
      case 'matrix': {
        const { matrixCommand } = await import('./matrix-command.ts');
        return await withInterrupt((signal) => matrixCommand(rest, signal));
      }
      case 'check':
        return (await import('./check-command.ts')).checkCommand(rest);
      case 'watch': {
        const { watchCommand } = await import('./watch-command.ts');
        return await withInterrupt((signal) => watchCommand(rest, signal));
      }
      case 'import-audit':
        return await (await import('./import-audit-command.ts')).importAuditCommand(rest);
      case 'explore': {
        const { exploreCommand } = await import('./explore-command.ts');
        return await withInterrupt((signal) => exploreCommand(rest, signal));
      }
      case 'validate': {
        const { validateCommand } = await import('./validate-command.ts');
        return await withInterrupt((signal) => validateCommand(rest, signal));
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command === undefined ? EXIT_BAD_INPUT : EXIT_OK;
      default:
        throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof SetupError || (error instanceof Error && BAD_INPUT_ERRORS.has(error.name))) {
      process.stderr.write(`cpchaos: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof Error && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`cpchaos: ${error.message}\n\n${USAGE}`);
      return EXIT_BAD_INPUT;
    }
    process.stderr.write(`cpchaos: ${errorMessage(error)}\n`);
    if (process.env['CPCHAOS_DEBUG']) process.stderr.write(`${(error as Error).stack ?? ''}\n`);
    return EXIT_FAILED;
  }
}
