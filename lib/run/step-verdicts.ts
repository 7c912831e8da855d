// The verdicts of a scenario's own steps and end state: `steps` (every step ran and every check held) and `expect`
// (the end state the scenario names). Whose failure a failed step is decides its status: the system's (a wait or
// check it did not meet) fails, the harness's (a fault it could not apply) is an error, a precondition not met (a
// target nobody can resolve, a fault the target cannot do) is inconclusive.
import type { Verdict } from '../oracles/verdict.ts';
import type { StepExecutor } from './step-executor.ts';

export function stepsVerdict(executor: StepExecutor): Verdict {
  if (executor.unsupported.length > 0) {
    return { invariant: 'steps', status: 'inconclusive', summary: `unsupported: ${executor.unsupported.join('; ')}`, evidence: [] };
  }
  if (executor.inconclusive.length > 0) {
    return { invariant: 'steps', status: 'inconclusive', summary: executor.inconclusive.join('; '), evidence: [] };
  }
  if (executor.failures.length > 0) {
    // A wait or check the system did not meet fails; a fault the harness could not apply is an error; a target
    // that could not be resolved in the cluster's state (no etcd leader known) is a precondition not met.
    const blames = new Set(executor.failures.map((f) => f.blame));
    const status = blames.has('system') ? 'fail' : blames.has('harness') ? 'error' : 'inconclusive';
    return {
      invariant: 'steps',
      status,
      summary: executor.failures.map((f) => `step ${f.stepIndex + 1}: ${f.message}`).join('; '),
      evidence: [],
    };
  }
  return { invariant: 'steps', status: 'pass', summary: 'every step ran and every check held', evidence: [] };
}

export function expectVerdict(problems: readonly string[], executor: StepExecutor): Verdict {
  if (executor.failures.some((f) => f.stopsRun)) {
    return {
      invariant: 'expect',
      status: 'inconclusive',
      summary: 'the end state was not checked: the steps did not complete',
      evidence: [],
    };
  }
  return problems.length > 0
    ? { invariant: 'expect', status: 'fail', summary: problems.join('; '), evidence: [] }
    : { invariant: 'expect', status: 'pass', summary: 'the end state is as expected', evidence: [] };
}
