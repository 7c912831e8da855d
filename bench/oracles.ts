// Oracle throughput. Builds a 1e6-event history (node heartbeats, sampler operations from three clients, leases,
// a kill/restart, a management-node deletion and the promotion that follows), times every oracle over it
// (goal <= 2 s), and the linearizability check of a 10k-operation register history with concurrency 3
// (goal <= 1 s). Run: node --import tsx bench/oracles.ts [events]   (add --expose-gc for a clean heap figure)
import { loadHistory, serializeHistory } from '../lib/observe/history.ts';
import type { History, OpEvent, TrimmedNode } from '../lib/observe/history.ts';
import { ORACLES, ORACLE_NAMES, OracleContext, runOracles } from '../lib/oracles/index.ts';
import { checkRegister } from '../lib/oracles/linearizability.ts';
import { HistoryBuilder, simulatedRegisterOps, tnode } from '../lib/observe/testing/history-builder.ts';
import type { SimulatedOp } from '../lib/observe/testing/history-builder.ts';

const TARGET_EVENTS = Number(process.argv[2] ?? 1_000_000);
const STEP_MS = 25;

function heapMb(): number {
  return process.memoryUsage().heapUsed / 2 ** 20;
}

function timed<T>(run: () => T): [T, number] {
  const started = performance.now();
  const value = run();
  return [value, performance.now() - started];
}

interface Timing {
  readonly wallMs: number;
  /** CPU time of this process (user + system): steadier than wall time on a shared machine. */
  readonly cpuMs: number;
}

/** Best (lowest wall) of `runs` runs. */
function best<T>(runs: number, run: () => T): [T, Timing] {
  let out: [T, Timing] | undefined;
  for (let i = 0; i < runs; i += 1) {
    const cpu = process.cpuUsage();
    const [value, wallMs] = timed(run);
    const used = process.cpuUsage(cpu);
    const timing = { wallMs, cpuMs: (used.user + used.system) / 1000 };
    if (out === undefined || wallMs < out[1].wallMs) out = [value, timing];
  }
  return out as [T, Timing];
}

function show(t: Timing): string {
  return `${t.wallMs.toFixed(0)} ms wall, ${t.cpuMs.toFixed(0)} ms CPU`;
}

/** CPU calibration: this machine is shared; the figure lets results be compared across runs. */
function calibrationMs(): number {
  const [, ms] = timed(() => {
    let x = 0;
    for (let i = 0; i < 1e8; i += 1) x = (x + i) | 0;
    return x;
  });
  return ms;
}

function opEvent(op: SimulatedOp, id: number, completion: boolean): Omit<OpEvent, 'seq' | 't'> {
  const process = `c${op.process}`;
  const target = op.process === 2 ? 'cp-0' : 'vip';
  return {
    kind: 'op',
    process,
    target,
    opId: id,
    phase: completion ? op.outcome : 'invoke',
    f: op.f,
    ...(op.value === undefined ? {} : { value: op.value }),
    ...(completion && op.f === 'read' && op.result !== null && op.result !== undefined ? { result: op.result } : {}),
  };
}

/** About `target` events: per step one op event, every other step a node heartbeat, every 20 a lease renewal. */
function buildHistory(target: number): History {
  const b = new HistoryBuilder();
  const age = (name: string): number => ({ 'cp-0': 0, 'cp-1': 1, 'cp-2': 2, 'w-0': 10, 'w-1': 20 })[name] ?? 30;
  const state = new Map<string, { management: boolean; ready?: 'True' | 'False' | 'Unknown'; status?: string; cordoned?: boolean }>([
    ['cp-0', { management: true }],
    ['cp-1', { management: true }],
    ['cp-2', { management: true }],
    ['w-0', { management: false }],
    ['w-1', { management: false }],
  ]);
  const node = (name: string): TrimmedNode => tnode(name, { ageMinutes: age(name), ...state.get(name) });
  b.cluster([...state.keys()].map(node), { promotionMs: 15 * 60_000 });

  const opCount = Math.floor((target * 0.6) / 2);
  const ops = simulatedRegisterOps(opCount, 3, 1, 0.01, true);
  const byPosition: { op: SimulatedOp; id: number; completion: boolean }[] = [];
  ops.forEach((op, id) => {
    byPosition[op.call] = { op, id, completion: false };
    byPosition[op.ret] = { op, id, completion: true };
  });
  const steps = byPosition.length;
  // scripted faults, at fractions of the run
  const script = new Map<number, () => void>([
    [Math.floor(steps * 0.2), () => b.fault('kill-1', 'kill', ['cp-1'])],
    [
      Math.floor(steps * 0.21),
      () => {
        state.set('cp-1', { management: true, ready: 'Unknown' });
        b.node('MODIFIED', node('cp-1'));
      },
    ],
    [Math.floor(steps * 0.25), () => b.fault('restart-1', 'restart', ['cp-1'])],
    [
      Math.floor(steps * 0.26),
      () => {
        state.set('cp-1', { management: true });
        b.node('MODIFIED', node('cp-1'));
      },
    ],
    [
      Math.floor(steps * 0.5),
      () => {
        b.fault('delete-1', 'delete-node', ['cp-2']);
      },
    ],
    [
      Math.floor(steps * 0.501),
      () => {
        b.node('DELETED', node('cp-2'));
        state.delete('cp-2');
      },
    ],
    [
      Math.floor(steps * 0.502),
      () => {
        state.set('w-0', { management: false, status: 'running', cordoned: true });
        b.job('ADDED', 'w-0').node('MODIFIED', node('w-0'));
      },
    ],
    [
      Math.floor(steps * 0.51),
      () => {
        state.set('w-0', { management: true, status: 'running', cordoned: true });
        b.node('MODIFIED', node('w-0'));
      },
    ],
    [
      Math.floor(steps * 0.511),
      () => {
        state.set('w-0', { management: true, status: 'complete' });
        b.node('MODIFIED', node('w-0')).job('MODIFIED', 'w-0', 0, 1);
      },
    ],
  ]);
  const names = (): string[] => [...state.keys()];
  for (let step = 0; step < steps; step += 1) {
    b.wait(STEP_MS);
    const entry = byPosition[step];
    if (entry !== undefined) b.push(opEvent(entry.op, entry.id, entry.completion));
    if (step % 2 === 0) {
      const all = names();
      b.node('MODIFIED', node(all[(step / 2) % all.length] as string));
    }
    if (step % 20 === 0)
      b.push({
        kind: 'lease',
        namespace: 'kube-system',
        name: 'kube-controller-manager',
        holder: 'cp-0',
        renewTime: new Date(b.time).toISOString(),
      });
    script.get(step)?.();
  }
  return b.end().build();
}

/** Builds, serializes and loads back the history; only the loaded copy stays alive, as in `cpchaos check`. */
function buildAndReload(): History {
  const [history, buildMs] = timed(() => buildHistory(TARGET_EVENTS));
  console.log(`built ${history.length} events in ${buildMs.toFixed(0)} ms; heap ${heapMb().toFixed(0)} MB`);
  const [text, serializeMs] = timed(() => serializeHistory(history));
  const [loaded, loadMs] = timed(() => loadHistory(text, 'bench.json'));
  console.log(
    `serialize ${serializeMs.toFixed(0)} ms (${(text.length / 2 ** 20).toFixed(0)} MB); load+validate ${loadMs.toFixed(0)} ms (${((loaded.length / loadMs) * 1000).toFixed(0)} events/s)`,
  );
  return loaded;
}

function main(): void {
  console.log(`cpchaos oracle bench (node ${process.version}); calibration: 1e8-iteration loop ${calibrationMs().toFixed(0)} ms`);
  const loaded = buildAndReload();
  (globalThis as { gc?: () => void }).gc?.();

  const heapBefore = heapMb();
  const [verdicts, all] = best(3, () => runOracles(loaded));
  const rate = (loaded.length / all.wallMs) * 1000;
  console.log(
    `\nall ${verdicts.length} oracles (best of 3): ${show(all)} (${(rate / 1e6).toFixed(2)} M events/s, goal <= 2000 ms); heap ${heapBefore.toFixed(0)} -> ${heapMb().toFixed(0)} MB`,
  );
  for (const v of verdicts) console.log(`  ${v.invariant.padEnd(30)} ${v.status.padEnd(12)} ${v.summary.slice(0, 110)}`);

  console.log('\nshared views, then each oracle over them (one context):');
  const ctx = new OracleContext(loaded);
  const views: [string, () => unknown][] = [
    ['node replay', () => ctx.nodeChanges],
    ['harness deletions', () => ctx.deletions],
    ['promotion signals', () => ctx.promotions],
    ['fault timeline', () => ctx.faults],
    ['sampler operations', () => ctx.operations],
  ];
  for (const [label, view] of views) console.log(`  ${label.padEnd(30)} ${show(best(1, view)[1])}`);
  for (const name of ORACLE_NAMES) {
    const oracle = ORACLES.get(name);
    if (oracle !== undefined) console.log(`  ${name.padEnd(30)} ${show(best(1, () => oracle.check(ctx))[1])}`);
  }

  const simulated = simulatedRegisterOps(10_000, 3, 7, 0.01, true);
  const registerOps = simulated.map((op, id) => ({ ...op, id }));
  const [result, lin] = best(3, () => checkRegister(registerOps));
  console.log(
    `\nlinearizability, 10k operations, concurrency 3 (best of 3): ${result.kind} in ${show(lin)} (${result.steps} steps; goal <= 1000 ms)`,
  );
  const broken = registerOps.map((op, i) => (i === 5_000 && op.f === 'read' ? { ...op, result: -1 } : op));
  const firstRead = registerOps.findIndex((op, i) => i >= 5_000 && op.f === 'read' && op.outcome === 'ok');
  const corrupted = registerOps.map((op, i) => (i === firstRead ? { ...op, result: -1 } : op));
  const [bad, badTiming] = best(1, () => checkRegister(firstRead >= 0 ? corrupted : broken));
  const window =
    bad.kind === 'not-linearizable'
      ? `; explained by ${bad.window.length} op(s), closed window ${bad.closedWindowSize} op(s) confirmed: ${bad.windowVerified}`
      : '';
  console.log(`linearizability, same history with one corrupted read: ${bad.kind} in ${show(badTiming)}${window}`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; calibration again: ${calibrationMs().toFixed(0)} ms`);
}

main();
