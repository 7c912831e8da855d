// cpchaos as a library: load scenarios, run them on a target, judge histories, write reports. The CLI is built on
// exactly this surface (lib/index.test.ts keeps it deliberate: a name added or removed there is a decision).
export { loadScenarios, loadScenarioFile, parseScenario, ScenarioError } from './scenario/loader.ts';
export type { KnownBug, Scenario } from './scenario/types.ts';
export { runScenario, type RunOptions } from './run/runner.ts';
export { overallStatus, scenarioOutcome, suiteExitCode, type ScenarioResult, type ScenarioStatus } from './report/result.ts';
export { existingTarget, sandboxTarget, sandboxTopologyFor, type ClusterTarget } from './run/targets/cluster-targets.ts';
export { kindTarget } from './run/targets/kind-target.ts';
export { randomSeed } from './scenario/random.ts';
export { SandboxProvider } from './cluster/sandbox/sandbox-provider.ts';
export { KindProvider } from './cluster/kind/kind-provider.ts';
export { ExistingClusterProvider } from './cluster/existing/existing-provider.ts';
export type { ClusterProvider, StartedCluster } from './cluster/core/provider.ts';
export type { ClusterNode } from './model/cluster.ts';
export type { FaultKind, FaultRequest } from './faults/catalogue.ts';
export { cleanupRuns } from './cluster/cleanup.ts';
export { runOracles, ORACLE_NAMES, type Verdict, type VerdictStatus } from './oracles/index.ts';
export type { History, HistoryEvent } from './observe/history.ts';
export { selectPromoteNode, loadPromotionPolicy, type PromotionPolicy } from './harvester/promotion.ts';
export { renderHtmlReport, renderJUnit, summarizeRun, writeRunReports, redact } from './report/index.ts';
export { SetupError } from './util/errors.ts';
export { FileProblemsError, formatProblem, type Problem } from './schema/problems.ts';
