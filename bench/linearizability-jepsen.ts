// The register linearizability checker over Jepsen's etcd compare-and-set histories, the data porcupine
// (github.com/anishathalye/porcupine, test_data/jepsen/etcd_NNN.log) tests and benchmarks its checker with.
// Every history's verdict must match the one porcupine's tests expect; prints per-history and total checker time
// (best of N runs; log parsing is not timed). The data is not part of this repository: pass its directory.
//   node --import tsx bench/linearizability-jepsen.ts <dir with etcd_*.log> [--runs N]
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkRegister } from '../lib/oracles/linearizability.ts';
import type { LinearizabilityResult, RegisterOp } from '../lib/oracles/linearizability.ts';

/** The histories porcupine's tests (TestEtcdJepsenNNN) expect to be linearizable; every other one is not. */
const LINEARIZABLE = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102]);
/** etcd_095.log is empty ("etcd cluster failed to start up in test 95"); porcupine has no test for it. */
const SKIPPED = new Set([95]);

// One log line: `INFO  jepsen.util - <process>\t:<type>\t:<f>\t<value>` (the patterns porcupine's parser accepts).
const LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(nil|\d+|\[\d+\s+\d+\]|:timed-out)$/;

interface Pending {
  readonly f: RegisterOp['f'];
  readonly value?: number | readonly [number, number];
  readonly call: number;
}

function isOperation(name: string): name is RegisterOp['f'] {
  return name === 'read' || name === 'write' || name === 'cas';
}

function parseValue(text: string): number | readonly [number, number] | null | undefined {
  if (text === 'nil') return null;
  if (text.startsWith('[')) {
    const [expected, next] = text.slice(1, -1).trim().split(/\s+/).map(Number);
    return expected === undefined || next === undefined ? undefined : [expected, next];
  }
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Register operations of one log, positions = line numbers (porcupine also orders events by their index).
 * Mapping, as porcupine's etcd model reads the same lines:
 *   ok read v / nil    -> ok read with result v / null (absent)
 *   ok write, ok cas   -> ok
 *   fail cas           -> fail: the compare did not match, so the cas had no effect
 *   info write/cas     -> info (timed out: may or may not have taken effect; porcupine leaves these pending)
 *   fail read (timeout), and any invoke never completed -> info (no completion)
 */
export function parseJepsenEtcdLog(text: string): RegisterOp[] {
  const pending = new Map<number, Pending>();
  const ops: RegisterOp[] = [];
  const finish = (p: Pending, outcome: RegisterOp['outcome'], ret: number | undefined, result?: number | null): void => {
    ops.push({
      id: ops.length,
      f: p.f,
      outcome,
      call: p.call,
      ...(ret === undefined ? {} : { ret }),
      ...(p.value === undefined ? {} : { value: p.value }),
      ...(result === undefined ? {} : { result }),
    });
  };
  text.split('\n').forEach((line, position) => {
    const match = LINE.exec(line.trimEnd());
    if (match === null) return;
    const [, processText, type, f, valueText] = match;
    if (processText === undefined || type === undefined || f === undefined || valueText === undefined) return;
    const process = Number(processText);
    const value = parseValue(valueText);
    if (type === 'invoke') {
      if (!isOperation(f)) return;
      pending.set(process, { f, call: position, ...(f === 'read' || value === null || value === undefined ? {} : { value }) });
      return;
    }
    const invoked = pending.get(process);
    if (invoked === undefined) return;
    pending.delete(process);
    if (type === 'ok') finish(invoked, 'ok', position, invoked.f === 'read' ? (typeof value === 'number' ? value : null) : undefined);
    else if (type === 'fail' && invoked.f !== 'read') finish(invoked, 'fail', position);
    else finish(invoked, 'info', undefined);
  });
  for (const invoked of pending.values()) finish(invoked, 'info', undefined);
  return ops;
}

/** The fastest of `runs` runs, and the mean (go test -bench reports means). */
function timeRuns<T>(runs: number, run: () => T): { value: T; ms: number; meanMs: number } {
  let best: { value: T; ms: number } | undefined;
  let totalMs = 0;
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    const value = run();
    const ms = performance.now() - started;
    totalMs += ms;
    if (best === undefined || ms < best.ms) best = { value, ms };
  }
  if (best === undefined) throw new Error('runs must be at least 1');
  return { ...best, meanMs: totalMs / runs };
}

function describe(result: LinearizabilityResult): string {
  if (result.kind === 'not-linearizable')
    return `not linearizable, window ${result.window.length} op(s), verified ${result.windowVerified}`;
  return result.kind;
}

function main(): void {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 10;
  const dir = args.find((arg, i) => !arg.startsWith('--') && (runsAt < 0 || i !== runsAt + 1));
  if (dir === undefined || !Number.isInteger(runs) || runs < 1) {
    console.error('usage: node --import tsx bench/linearizability-jepsen.ts <dir with etcd_*.log> [--runs N]');
    process.exit(2);
  }
  const files = readdirSync(dir)
    .filter((name) => /^etcd_\d{3}\.log$/.test(name))
    .sort();
  let totalMs = 0;
  let totalMeanMs = 0;
  let checked = 0;
  const mismatches: string[] = [];
  for (const name of files) {
    const number = Number(name.slice(5, 8));
    if (SKIPPED.has(number)) continue;
    const ops = parseJepsenEtcdLog(readFileSync(join(dir, name), 'utf8'));
    // porcupine's etcd model starts from "no value" (nil).
    const { value: result, ms, meanMs } = timeRuns(runs, () => checkRegister(ops, { initial: null }));
    const expected = LINEARIZABLE.has(number);
    const agrees = result.kind === (expected ? 'linearizable' : 'not-linearizable');
    totalMs += ms;
    totalMeanMs += meanMs;
    checked += 1;
    const line = `${name}  ${String(ops.length).padStart(4)} ops  ${ms.toFixed(3).padStart(9)} ms  ${describe(result)} (${result.steps} steps)`;
    console.log(agrees ? line : `${line}  <-- MISMATCH: porcupine expects ${expected ? 'linearizable' : 'not linearizable'}`);
    if (!agrees) mismatches.push(name);
  }
  console.log(
    `\n${checked} histories, best of ${runs} runs each: total checker time ${totalMs.toFixed(1)} ms (mean of the runs: ${totalMeanMs.toFixed(1)} ms)`,
  );
  if (checked !== 102) mismatches.push(`expected 102 histories, found ${checked}`);
  if (mismatches.length > 0) {
    console.error(`\n!!!!!!!! VERDICT MISMATCH with porcupine: ${mismatches.join(', ')} !!!!!!!!`);
    process.exit(1);
  }
  console.log('all verdicts agree with porcupine');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
