// Stopping processes and waiting until they have really exited. A stop signals each process, waits (with a
// deadline) until it is gone, escalates to the next signal (SIGTERM, then SIGKILL) for those still there, and
// reports by name whatever outlived the last deadline: a process that will not die is never waited on forever.
// Gone means: its exit event fired (a child of this process), or /proc no longer shows it running — absent, a
// zombie (dead; only its exit status waits for a parent to collect it), or another process under a reused pid.
import { readFileSync } from 'node:fs';
import { sleepMs } from './wait.ts';

/** A process to stop: a child of this process (its exit event) or any other (watched through /proc). */
export interface StoppableProcess {
  readonly pid: number;
  /** What it is, for the report of one that would not die ("etcd of cp-0"). */
  readonly what: string;
  /** For a child of this process: true once its exit event fired. */
  readonly exited?: () => boolean;
}

export interface SignalStep {
  /** Sent to each process still running (a stopped one gets SIGCONT too); none: only wait. */
  readonly signal?: NodeJS.Signals | undefined;
  /** How long the processes have to exit after this signal before the next step (or the report). */
  readonly graceMs: number;
}

/** SIGTERM, then SIGKILL for what is still there: how a teardown stops what it started. */
export const TERMINATE_THEN_KILL: readonly SignalStep[] = [
  { signal: 'SIGTERM', graceMs: 5_000 },
  { signal: 'SIGKILL', graceMs: 10_000 },
];

/** SIGKILL at once (a crash, as a kill fault imitates one), then the wait. */
export const KILL_AT_ONCE: readonly SignalStep[] = [{ signal: 'SIGKILL', graceMs: 10_000 }];

const POLL_INTERVAL_MS = 20;

/** Some processes outlived every signal and its deadline. */
export class ProcessesSurvivedError extends Error {
  constructor(
    readonly survivors: readonly StoppableProcess[],
    readonly steps: readonly SignalStep[],
  ) {
    const names = survivors.map((p) => `${p.what} (pid ${p.pid})`).join(', ');
    const tried = steps.map((s) => `${s.signal ?? 'waiting'} then ${s.graceMs} ms`).join(', ');
    super(`still running after ${tried}: ${names}`);
    this.name = 'ProcessesSurvivedError';
  }
}

interface ProcStat {
  readonly state: string;
  readonly startTicks: number;
}

/** /proc/<pid>/stat's state and start time (clock ticks after boot), or undefined when there is no such process. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTicks: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** True while the process runs (exists and is no zombie); with `startTicks`, only while it is that same process. */
export function isRunning(pid: number, startTicks?: number): boolean {
  const stat = procStat(pid);
  if (stat === undefined || stat.state === 'Z') return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

interface Tracked {
  readonly process: StoppableProcess;
  readonly startTicks: number | undefined;
}

function gone({ process, startTicks }: Tracked): boolean {
  if (process.exited?.() === true) return true;
  if (startTicks === undefined) return true;
  return !isRunning(process.pid, startTicks);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
    // A stopped process (a paused node) acts on SIGTERM only once it runs again.
    if (name !== 'SIGKILL') process.kill(pid, 'SIGCONT');
  } catch {
    // gone meanwhile
  }
}

/**
 * Signals each process in turn with the steps' signals, each time waiting up to the step's grace for them to exit;
 * returns once every one is gone, or throws ProcessesSurvivedError naming those still running after the last step.
 * A process is identified by its start time when this is called, so a pid reused meanwhile is neither signalled
 * nor waited for.
 */
export async function stopProcesses(processes: readonly StoppableProcess[], steps: readonly SignalStep[]): Promise<void> {
  let left: Tracked[] = processes.map((p) => ({ process: p, startTicks: procStat(p.pid)?.startTicks })).filter((t) => !gone(t));
  for (const step of steps) {
    if (left.length === 0) return;
    const name = step.signal;
    if (name !== undefined) for (const t of left) if (isRunning(t.process.pid, t.startTicks)) signal(t.process.pid, name);
    const deadline = Date.now() + step.graceMs;
    for (;;) {
      left = left.filter((t) => !gone(t));
      if (left.length === 0 || Date.now() >= deadline) break;
      await sleepMs(Math.min(POLL_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    }
  }
  if (left.length > 0)
    throw new ProcessesSurvivedError(
      left.map((t) => t.process),
      steps,
    );
}
