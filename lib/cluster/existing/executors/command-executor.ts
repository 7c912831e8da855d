// The command executor: a command per node (per node pair for partition and drop), run through execa without a
// shell. Templates were split into words when the file was read; here only the placeholders are filled in.
import { run } from '../../../util/exec.ts';
import type { FaultAction, FaultStep } from './action.ts';
import type { CommandChoice } from './config-types.ts';
import { formatArgv, renderTemplate, type CommandTemplate, type PlaceholderNode, type TemplateValues } from './template.ts';

/** Runs argv (argv[0] is the program); replaceable in tests. */
export type CommandRunner = (file: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<unknown>;

export function commandAction(
  template: CommandTemplate,
  nodes: TemplateValues,
  timeoutMs: number,
  runner: CommandRunner = run,
): FaultAction {
  // Rendered now, so a missing or unsafe value fails the plan before any step of it runs.
  const argv = renderTemplate(template, nodes);
  const [file = '', ...args] = argv;
  return {
    describe: formatArgv(argv),
    argv,
    run: async () => {
      await runner(file, args, { timeoutMs });
    },
  };
}

/** The step for one node (and peer): the run command, and the undo command if the file gives one. */
export function commandStep(
  choice: CommandChoice,
  node: PlaceholderNode,
  peer?: PlaceholderNode,
  runner: CommandRunner = run,
  ports?: string,
): FaultStep {
  const nodes: TemplateValues = { node, ...(peer ? { peer } : {}), ...(ports !== undefined ? { ports } : {}) };
  return {
    node: node.name,
    apply: commandAction(choice.run, nodes, choice.timeoutMs, runner),
    ...(choice.undo ? { undo: commandAction(choice.undo, nodes, choice.timeoutMs, runner) } : {}),
  };
}
