// A run's workspace, the same for every provider: a run id, a folder under the runs root, the journal in it (its
// first entry names the provider and the owning process, for `cpchaos cleanup`), and the teardown stack whose
// last step removes the folder — unless the keep policy says to keep it.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Journal, processStartTicks, runsRoot } from '../../faults/journal.ts';
import { TeardownStack } from '../../util/teardown.ts';

/** Six hex digits: short enough for kind cluster names and namespace names, random enough for parallel runs. */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}

export interface WorkspaceOptions {
  readonly provider: string;
  /** Default: newRunId(). */
  readonly runId?: string;
  /** Default: the harness's runs root (CPCHAOS_STATE_DIR/runs). */
  readonly runsRoot?: string;
  /** Keep the folder (logs, etcd data, journal) after the run. CPCHAOS_KEEP_RUN_DIR=1 keeps every run's. */
  readonly keepRunDir?: boolean | undefined;
}

export class RunWorkspace {
  readonly teardown = new TeardownStack();
  private readonly keepWhen: (() => string | undefined)[] = [];
  /** Why the folder was kept, once the teardown has run (undefined when it was removed). */
  keptBecause: string | undefined;

  private constructor(
    readonly runId: string,
    readonly runDir: string,
    readonly journal: Journal,
  ) {}

  /**
   * Creates the folder and the journal, and registers the folder's removal as the first teardown step, so it
   * runs last: everything the run starts later is torn down before its journal goes.
   */
  static open(options: WorkspaceOptions): RunWorkspace {
    const runId = options.runId ?? newRunId();
    const runDir = join(options.runsRoot ?? runsRoot(), runId);
    mkdirSync(runDir, { recursive: true });
    const journal = new Journal(runDir);
    journal.record({
      type: 'run',
      runId,
      provider: options.provider,
      ownerPid: process.pid,
      ownerStartTicks: processStartTicks(process.pid) ?? 0,
    });
    const workspace = new RunWorkspace(runId, runDir, journal);
    if (options.keepRunDir === true) workspace.keepIf(() => 'asked to keep the run folder');
    if (process.env['CPCHAOS_KEEP_RUN_DIR'] === '1') workspace.keepIf(() => 'CPCHAOS_KEEP_RUN_DIR=1');
    workspace.teardown.defer('remove run folder', () => workspace.close());
    return workspace;
  }

  /** Keeps the folder when `reason` returns one at teardown (faults a person must still undo, say). */
  keepIf(reason: () => string | undefined): void {
    this.keepWhen.push(reason);
  }

  private close(): void {
    this.journal.record({ type: 'stopped' });
    this.keptBecause = this.keepWhen.map((reason) => reason()).find((r) => r !== undefined);
    if (this.keptBecause === undefined) rmSync(this.runDir, { recursive: true, force: true });
  }
}
