// The one typed event stream of a suite run. Every reporter — the CLI's terminal output, the mocha catalogue, a
// report writer — consumes these and nothing else; the scheduler is their only source.
import type { HistoryEvent } from '../observe/history.ts';
import type { ScenarioResult } from '../report/result.ts';
import type { Scenario } from '../scenario/types.ts';

interface ScenarioEventBase {
  readonly scenario: Scenario;
  /** Which concurrent slot runs the scenario (0 .. parallel-1): lines of one lane belong together. */
  readonly lane: number;
}

export type RunEvent =
  | ({ readonly type: 'scenario-begin'; readonly seed: string; readonly round: number } & ScenarioEventBase)
  /** A harness line that is not a history event (dry-run plans, the kind promote loop). */
  | ({ readonly type: 'progress'; readonly line: string } & ScenarioEventBase)
  /** Every history event as it is recorded. */
  | ({ readonly type: 'history'; readonly event: HistoryEvent } & ScenarioEventBase)
  | ({ readonly type: 'scenario-end'; readonly result: ScenarioResult } & ScenarioEventBase)
  | { readonly type: 'suite-end'; readonly results: readonly ScenarioResult[] };

export type RunEventType = RunEvent['type'];

export interface Reporter {
  onEvent(event: RunEvent): void | Promise<void>;
}
