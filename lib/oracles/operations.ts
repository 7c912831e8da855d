// Pairs the sampler's op events into operations: one invoke and at most one completion per (process, opId).
import { opKey } from '../observe/history.ts';
import type { History, OpEvent, OpFunction } from '../observe/history.ts';

export type OperationOutcome = 'ok' | 'fail' | 'info';

export interface Operation {
  readonly process: string;
  readonly opId: number;
  readonly key: string;
  readonly target: string;
  readonly f: OpFunction;
  readonly invoke: OpEvent;
  /** Undefined when the run ended with the operation still open (indeterminate, like info). */
  readonly completion?: OpEvent;
  readonly outcome: OperationOutcome;
  readonly value?: number | readonly [number, number];
  /** ok reads: the value read, null when the register was absent. */
  readonly result?: number | null;
}

export function isWrite(op: Operation): boolean {
  return op.f === 'write' || op.f === 'cas';
}

/** The events of an operation (invoke, then completion if any). */
export function eventsOf(op: Operation): OpEvent[] {
  return op.completion === undefined ? [op.invoke] : [op.invoke, op.completion];
}

/** All operations in invoke order. Completions without an invoke are ignored (the loader rejects them). */
export function pairOperations(history: History): Operation[] {
  const open = new Map<string, Map<number, number>>();
  const invokes: OpEvent[] = [];
  const completions: (OpEvent | undefined)[] = [];
  for (const event of history) {
    if (event.kind !== 'op') continue;
    let byId = open.get(event.process);
    if (byId === undefined) {
      byId = new Map();
      open.set(event.process, byId);
    }
    if (event.phase === 'invoke') {
      byId.set(event.opId, invokes.length);
      invokes.push(event);
      completions.push(undefined);
    } else {
      const index = byId.get(event.opId);
      if (index === undefined) continue;
      byId.delete(event.opId);
      completions[index] = event;
    }
  }
  const out = new Array<Operation>(invokes.length);
  for (let i = 0; i < invokes.length; i += 1) {
    const invoke = invokes[i] as OpEvent;
    const completion = completions[i];
    const outcome: OperationOutcome = completion === undefined ? 'info' : (completion.phase as OperationOutcome);
    out[i] = {
      process: invoke.process,
      opId: invoke.opId,
      key: opKey(invoke),
      target: invoke.target,
      f: invoke.f,
      invoke,
      completion,
      outcome,
      value: invoke.value ?? completion?.value,
      result: outcome === 'ok' && invoke.f === 'read' ? (completion?.result ?? null) : undefined,
    };
  }
  return out;
}
