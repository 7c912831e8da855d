// A realistic scenario result built by hand for the report tests: 3 control-plane nodes and 1 worker; cp-0 is
// killed (VIP writes stall for 4.2 s, etcd leadership moves), then deleted; worker-0 is promoted; cp-2 is cordoned
// for a while; the node watch is blind for a second. quorum-survives fails with evidence. Secrets are planted in a
// note, an op error and verdict details so the tests can check they never reach a report.
import type { ScenarioResult } from '../result.ts';
import { PROMOTE_STATUS_ANNOTATION } from '../../harvester/contract.ts';
import type { TrimmedNode } from '../../observe/history.ts';
import { HistoryBuilder, T0, tnode } from '../../observe/testing/history-builder.ts';
import type { Verdict } from '../../oracles/verdict.ts';
import type { Scenario } from '../../scenario/types.ts';

export { T0 } from '../../observe/testing/history-builder.ts';

export const PLANTED_SECRETS = {
  token: 'abcdef.0123456789abcdef-SECRET-TOKEN',
  bearer: 'sk-live-BEARER-0123456789',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06YWRtaW4ifQ.c2lnbmF0dXJlLXNlY3JldA',
  clientKey: 'LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ-CLIENT-KEY',
} as const;

export function sampleScenario(name = 'kill-cp-then-promote'): Scenario {
  return {
    name,
    description: 'Kill a control-plane node, delete it, and expect the worker to be promoted.',
    tags: ['promotion', 'quorum'],
    sandboxOnly: false,
    allowQuorumLoss: false,
    cluster: { controlPlanes: 3, workers: 1, witnesses: 0 },
    budgets: { outageMs: 3000 },
    steps: [],
    expect: { assertions: [] },
    invariants: [{ name: 'quorum-survives' }, { name: 'promotion-after-deletion' }, { name: 'quorum-lost' }],
    source: { file: `suites/scenarios/${name}.yaml`, stepLines: [] },
  };
}

function withStatus(node: TrimmedNode, status: string | undefined, extra: Partial<TrimmedNode> = {}): TrimmedNode {
  const annotations = { ...node.annotations };
  if (status === undefined) delete annotations[PROMOTE_STATUS_ANNOTATION];
  else annotations[PROMOTE_STATUS_ANNOTATION] = status;
  return { ...node, annotations, ...extra };
}

const MEMBERS = ['cp-0', 'cp-1', 'cp-2', 'worker-0'].map((name, i) => ({ name, id: `m${i}` }));

/** The history; `seqs` names the events the verdicts cite. */
export function sampleHistory(): { history: ReturnType<HistoryBuilder['build']>; seqs: Record<string, number> } {
  const b = new HistoryBuilder();
  const seqs: Record<string, number> = {};
  const mark = (name: string): void => {
    seqs[name] = b.build().length - 1;
  };
  const cp = [0, 1, 2].map((i) => tnode(`cp-${i}`, { management: true, ageMinutes: i }));
  let worker = tnode('worker-0', { ageMinutes: 10 });
  b.cluster([...cp, worker]);
  b.at(0.5).push({ kind: 'etcd', members: MEMBERS.slice(0, 3), leader: 'cp-0' });

  let opId = 0;
  const writesUntil = (seconds: number, outcome: 'ok' | 'fail' | 'info' = 'ok', error?: string): void => {
    while (b.time + 500 <= T0 + seconds * 1000) {
      b.wait(500);
      opId += 1;
      b.op('vip', opId, 'invoke', 'write', { value: opId });
      b.wait(outcome === 'info' ? 400 : 20);
      b.op('vip', opId, outcome, 'write', { value: opId, ...(error === undefined ? {} : { error }) });
    }
  };
  writesUntil(4.5);
  mark('lastOk');
  b.at(5).push({ kind: 'step', index: 0, step: 'kill cp-0', phase: 'begin' }).fault('a1', 'kill', ['cp-0']);
  mark('killApplied');
  b.push({ kind: 'step', index: 0, step: 'kill cp-0', phase: 'end', ok: true });
  writesUntil(6.5, 'info', 'context deadline exceeded');
  b.at(6.6).push({ kind: 'etcd', members: MEMBERS.slice(0, 3), leader: 'cp-1' });
  mark('leaderMoved');
  writesUntil(8, 'fail', `503 Service Unavailable (Authorization: Bearer ${PLANTED_SECRETS.bearer})`);
  writesUntil(8.5);
  mark('firstOkAfter');
  writesUntil(15);
  b.node('MODIFIED', tnode('cp-0', { management: true, ready: 'Unknown' }));
  writesUntil(16);
  b.push({ kind: 'step', index: 1, step: 'delete-node cp-0', phase: 'begin' }).fault('a2', 'delete-node', ['cp-0']);
  b.node('MODIFIED', tnode('cp-0', { management: true, ready: 'Unknown', deleting: true }));
  b.wait(800).node('DELETED', tnode('cp-0', { management: true, ready: 'Unknown', deleting: true }));
  mark('cp0Deleted');
  b.push({ kind: 'step', index: 1, step: 'delete-node cp-0', phase: 'end', ok: true });
  b.push({ kind: 'step', index: 2, step: 'wait promotion worker-0 complete', phase: 'begin' });
  writesUntil(18);
  b.push({ kind: 'etcd', members: MEMBERS.slice(1, 3), leader: 'cp-1' });
  writesUntil(20);
  worker = withStatus(worker, 'running');
  b.node('MODIFIED', worker).job('ADDED', 'worker-0');
  b.push({
    kind: 'k8s-event',
    namespace: 'default',
    name: 'worker-0.17f3a8b9c0d1e2f3',
    reason: 'NodePromoteRunning',
    message: 'Node worker-0 promote running',
    involvedObject: { kind: 'Node', name: 'worker-0' },
  });
  writesUntil(26.5);
  b.gap('nodes', 25, 26.2, 'watch reconnect');
  b.note(`kubectl --token=${PLANTED_SECRETS.token} get nodes: Unauthorized`);
  writesUntil(35);
  worker = withStatus(tnode('worker-0', { management: true, ageMinutes: 10 }), 'complete');
  b.node('MODIFIED', worker).job('MODIFIED', 'worker-0', 0, 1);
  mark('promoted');
  b.push({ kind: 'step', index: 2, step: 'wait promotion worker-0 complete', phase: 'end', ok: true });
  writesUntil(36);
  b.push({ kind: 'etcd', members: MEMBERS.slice(1), leader: 'cp-1' });
  writesUntil(40);
  b.push({ kind: 'step', index: 3, step: 'cordon cp-2', phase: 'begin' }).fault('a3', 'cordon', ['cp-2']);
  b.node('MODIFIED', tnode('cp-2', { management: true, ageMinutes: 2, cordoned: true }));
  b.push({ kind: 'step', index: 3, step: 'cordon cp-2', phase: 'end', ok: true });
  writesUntil(45);
  b.push({ kind: 'step', index: 4, step: 'uncordon cp-2', phase: 'begin' }).fault('a4', 'uncordon', ['cp-2']);
  b.node('MODIFIED', tnode('cp-2', { management: true, ageMinutes: 2 }));
  b.push({ kind: 'step', index: 4, step: 'uncordon cp-2', phase: 'end', ok: true });
  writesUntil(50);
  b.action('a1', 'undone', 'kill', ['cp-0']);
  b.at(52).end('completed');
  return { history: b.build(), seqs };
}

export function sampleResult(name?: string): ScenarioResult {
  const { history, seqs } = sampleHistory();
  const at = (key: string): (typeof history)[number] => history[seqs[key] as number] as (typeof history)[number];
  const verdicts: Verdict[] = [
    {
      invariant: 'quorum-survives',
      status: 'fail',
      summary: 'No write through the VIP was acknowledged for 4.22s while only cp-0 was down (budget 3s).',
      evidence: [at('lastOk'), at('killApplied'), at('leaderMoved'), at('firstOkAfter')],
      details: {
        outageMs: 4220,
        budgetMs: 3000,
        kubeconfig: { 'client-key-data': PLANTED_SECRETS.clientKey },
        note: `id ${PLANTED_SECRETS.jwt}`,
      },
    },
    {
      invariant: 'promotion-after-deletion',
      status: 'pass',
      summary: 'worker-0 was promoted 18.4s after cp-0 disappeared (budget 15m).',
      evidence: [at('cp0Deleted'), at('promoted')],
    },
    {
      invariant: 'quorum-lost',
      status: 'inconclusive',
      summary: 'precondition not met: a majority of control-plane nodes was never down.',
      evidence: [],
    },
    { invariant: 'steps', status: 'pass', summary: 'all 5 steps ran', evidence: [] },
  ];
  return {
    scenario: sampleScenario(name),
    runId: 'run-7f3a',
    seed: '1a2b3c',
    status: 'fail',
    verdicts,
    history,
    startedAt: T0 - 2000,
    durationMs: 54_000,
  };
}
