// `cpchaos watch`: judges a cluster the harness does not control, live. It attaches read-only (no allowlist needed:
// it injects nothing and, unless asked to probe writes, writes nothing), records the same history as a run (Nodes,
// promote Jobs, Events, Leases; quorum reads through the endpoint instead of writes), attributes every Node that
// goes away to an operator, judges the growing history every judge interval (printing verdicts that turn to fail
// and back), and at the end returns the result the usual reports are written from.
import { ExistingClusterProvider } from '../cluster/existing/existing-provider.ts';
import type { StartedExisting } from '../cluster/existing/existing-cluster.ts';
import type { ProfileChoice } from '../harvester/profiles.ts';
import type { ClusterTimers } from '../model/cluster.ts';
import { ClusterObserver, DEFAULT_OBSERVER_OPTIONS } from '../observe/cluster-observer.ts';
import type { HistoryEvent, RunBudgets } from '../observe/history.ts';
import { OperatorDeletions } from '../observe/operator-deletions.ts';
import { Recorder } from '../observe/recorder.ts';
import type { Verdict } from '../oracles/verdict.ts';
import { WATCH_SCENARIO, watchVerdicts } from '../oracles/watch-verdicts.ts';
import { scenarioOutcome, type ScenarioResult } from '../report/result.ts';
import { errorMessage } from '../util/errors.ts';
import { startPeriodic } from '../util/periodic.ts';
import { TeardownStack } from '../util/teardown.ts';
import { scaleBudgets } from './budgets.ts';

export const DEFAULT_READ_INTERVAL_MS = 500;
export const DEFAULT_JUDGE_INTERVAL_MS = 5000;

export interface WatchOptions {
  readonly kubeconfigPath?: string | undefined;
  readonly context?: string | undefined;
  readonly profile?: ProfileChoice | undefined;
  /** The cluster's timers, where they differ from its profile's. */
  readonly timers?: Partial<ClusterTimers> | undefined;
  readonly budgets?: RunBudgets | undefined;
  /** Stop after this long (default: only when the signal aborts). */
  readonly untilMs?: number | undefined;
  /** Also write through the endpoint (a register and a probe ConfigMap, deleted at the end). */
  readonly probeWrites?: boolean | undefined;
  readonly readIntervalMs?: number | undefined;
  readonly judgeIntervalMs?: number | undefined;
  readonly attachTimeoutMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** A verdict that started failing, or stopped failing, while watching. */
  readonly onVerdictChange?: ((verdict: Verdict, change: 'failing' | 'cleared') => void) | undefined;
  readonly onEvent?: ((event: HistoryEvent) => void) | undefined;
}

/** The verdicts judged so far, and which of them fail: reports what changed since the last judgement. */
class LiveJudge {
  private failing = new Map<string, string>();

  constructor(
    private readonly recorder: Recorder,
    private readonly onChange: WatchOptions['onVerdictChange'],
  ) {}

  judge(): Verdict[] {
    const verdicts = watchVerdicts(this.recorder.history);
    const now = new Map(verdicts.filter((v) => v.status === 'fail').map((v) => [v.invariant, v.summary]));
    for (const v of verdicts) if (v.status === 'fail' && this.failing.get(v.invariant) !== v.summary) this.onChange?.(v, 'failing');
    for (const [invariant] of this.failing) {
      const v = verdicts.find((x) => x.invariant === invariant);
      if (v !== undefined && !now.has(invariant)) this.onChange?.(v, 'cleared');
    }
    this.failing = now;
    return verdicts;
  }
}

/** Resolves when the signal aborts or after untilMs, whichever comes first. */
function watchEnd(untilMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = untilMs === undefined ? undefined : setTimeout(done, untilMs);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

export async function watchCluster(options: WatchOptions = {}): Promise<ScenarioResult> {
  const recorder = new Recorder();
  const teardown = new TeardownStack();
  if (options.onEvent) recorder.subscribe(options.onEvent);
  const startedAt = Date.now();
  let cluster: StartedExisting | undefined;
  try {
    cluster = await new ExistingClusterProvider().start(
      {
        kubeconfigPath: options.kubeconfigPath,
        context: options.context,
        profile: options.profile,
        timers: options.timers,
        attachTimeoutMs: options.attachTimeoutMs,
        readOnly: true,
      },
      options.signal,
    );
    const attached = cluster;
    teardown.defer('detach from the cluster', () => attached.stop());
    recorder.record({
      kind: 'run-start',
      runId: cluster.runId,
      scenario: WATCH_SCENARIO,
      seed: 0,
      provider: cluster.provider,
      nodes: cluster.nodes.map((n) => ({ name: n.name, role: n.role })),
      timers: cluster.timers,
      budgets: scaleBudgets(
        {},
        {
          timers: cluster.timers,
          endpointFailoverMs: cluster.endpointFailoverMs,
          ...(options.budgets ? { overrides: options.budgets } : {}),
        },
      ),
    });
    for (const message of cluster.notes ?? []) recorder.record({ kind: 'note', message });
    recorder.record({
      kind: 'note',
      message:
        options.probeWrites === true
          ? 'watch: reads and writes through the endpoint (--probe-writes)'
          : 'watch: read-only, nothing is written to the cluster',
    });
    const deletions = new OperatorDeletions(recorder);
    const observer = new ClusterObserver(cluster, recorder, {
      ...DEFAULT_OBSERVER_OPTIONS,
      nodeSampleIntervalMs: 0,
      writes: options.probeWrites === true,
      readSampleIntervalMs: options.readIntervalMs ?? DEFAULT_READ_INTERVAL_MS,
      beforeNodeEvent: deletions.beforeNodeEvent,
    });
    teardown.defer('stop the recorder', () => observer.stop());
    await observer.start();
    const judge = new LiveJudge(recorder, options.onVerdictChange);
    const stopJudging = startPeriodic(
      options.judgeIntervalMs ?? DEFAULT_JUDGE_INTERVAL_MS,
      () => Promise.resolve(void judge.judge()),
      (error) => recorder.record({ kind: 'note', message: `judging while watching failed: ${errorMessage(error)}` }),
    );
    teardown.defer('stop judging', () => stopJudging());
    await watchEnd(options.untilMs, options.signal);
    await teardown.run();
    recorder.record({ kind: 'run-end' });
    const verdicts = judge.judge();
    return resultOf(recorder, cluster.runId, verdicts, startedAt, options);
  } catch (error) {
    await teardown.run().catch(() => undefined);
    throw error;
  }
}

function resultOf(recorder: Recorder, runId: string, verdicts: Verdict[], startedAt: number, options: WatchOptions): ScenarioResult {
  const scenario = {
    name: WATCH_SCENARIO,
    description: `watched ${options.context ? `context ${options.context}` : 'the current context'}${options.kubeconfigPath ? ` of ${options.kubeconfigPath}` : ''}`,
    tags: ['watch'],
    source: { file: options.kubeconfigPath ?? '' },
  };
  const outcome = scenarioOutcome(scenario, verdicts);
  return {
    scenario,
    runId,
    seed: '0',
    status: outcome.status,
    verdicts,
    history: recorder.history,
    startedAt,
    durationMs: Date.now() - startedAt,
  };
}
