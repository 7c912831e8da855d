// `cpchaos matrix --policies reference,FILE,... <scenarios>`: each scenario under each promotion policy on the sandbox,
// side by side (Harvester's proposals measured). `reference` is Harvester's own choice; any other entry is a policy
// module (fixtures/policies/*.ts). Writes matrix.md and matrix.json under --reports; exits 0 once every cell ran
// (differences are what the matrix is for), 2 on bad input or when a run errored (a cell the matrix cannot show).
// index.html beside them shows the same matrix above each run (its scenario named with the policy).
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { loadScenarios } from '../scenario/loader.ts';
import type { Scenario } from '../scenario/types.ts';
import { runSuite } from '../run/scheduler.ts';
import { sandboxTarget } from '../run/targets/cluster-targets.ts';
import { buildMatrix, matrixCells, matrixLines, matrixMarkdown, type Matrix } from '../report/matrix.ts';
import type { ScenarioResult } from '../report/result.ts';
import { redact, renderHtmlReport } from '../report/index.ts';
import { UsageError, parseOptions } from './options.ts';

export const MATRIX_USAGE = `usage: cpchaos matrix --policies reference,FILE[,FILE...] <scenario files or folders> [--seed HEX] [--reports DIR]
  --policies   reference (Harvester's own choice) and promotion policy modules, comma-separated
  --reports    where matrix.md, matrix.json and index.html go (default reports)
`;

/** Runs the scenarios under one policy (undefined: Harvester's own choice); replaceable in tests. */
export type PolicyRunner = (
  scenarios: readonly Scenario[],
  policy: string | undefined,
  seed: string | undefined,
  signal: AbortSignal,
) => Promise<ScenarioResult[]>;

const runOnSandbox: PolicyRunner = (scenarios, policy, seed, signal) =>
  runSuite(scenarios, { target: sandboxTarget({ promotionPolicy: policy }), seed, signal });

/** A policy's column title: reference, or the module's file name without .ts. */
export function policyLabel(policy: string): string {
  return policy === 'reference' ? 'reference' : basename(policy).replace(/\.(m?[jt]s)$/, '');
}

export async function matrixCommand(
  args: readonly string[],
  signal: AbortSignal,
  out: (text: string) => void = (text) => process.stdout.write(text),
  runner: PolicyRunner = runOnSandbox,
): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    policies: { type: 'string' },
    seed: { type: 'string' },
    reports: { type: 'string', default: 'reports' },
  });
  const policies = (values.policies ?? '').split(',').filter((p) => p.length > 0);
  if (policies.length === 0) throw new UsageError(`cpchaos matrix: name the policies with --policies\n\n${MATRIX_USAGE}`);
  const labels = policies.map(policyLabel);
  if (new Set(labels).size !== labels.length) throw new UsageError(`--policies: two policies share a name (${labels.join(', ')})`);
  if (positionals.length === 0) throw new UsageError(`cpchaos matrix: name the scenarios\n\n${MATRIX_USAGE}`);
  if (values.seed !== undefined && !/^[0-9a-f]{1,8}$/i.test(values.seed))
    throw new UsageError(`--seed: expected up to 8 hex digits (as a run prints it), got "${values.seed}"`);
  const scenarios = await loadScenarios(positionals);
  if (scenarios.length === 0) throw new UsageError(`cpchaos matrix: no scenario in ${positionals.join(', ')}`);
  const cells = [];
  const runs: ScenarioResult[] = [];
  let errored = false;
  for (const [i, policy] of policies.entries()) {
    signal.throwIfAborted();
    const label = labels[i] as string;
    out(`policy ${label}: ${scenarios.length} scenario(s)\n`);
    const results = await runner(scenarios, policy === 'reference' ? undefined : policy, values.seed, signal);
    errored ||= results.some((r) => r.status === 'error');
    cells.push(...matrixCells(label, results));
    runs.push(...results.map((r) => ({ ...r, scenario: { ...r.scenario, name: `${r.scenario.name} (${label})` } })));
  }
  const matrix: Matrix = buildMatrix(labels, cells);
  const dir = values.reports ?? 'reports';
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'matrix.md'), `${matrixMarkdown(matrix)}\n`, 'utf8');
  await writeFile(join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`, 'utf8');
  const title = `cpchaos policy matrix: ${labels.join(', ')} (${matrix.scenarios.length} scenario${matrix.scenarios.length === 1 ? '' : 's'})`;
  await writeFile(join(dir, 'index.html'), redact(renderHtmlReport(runs, { matrix, title })), 'utf8');
  out(`${matrixLines(matrix).join('\n')}\n${['matrix.md', 'matrix.json', 'index.html'].map((f) => join(dir, f)).join(', ')}\n`);
  return errored ? 2 : 0;
}
