// A host re-joining under a removed node's name (Harvester issue 1040) on the sandbox: the regression scenario end to
// end, with the history showing the re-joined node as a new Node promoted by a new Job, and the refusal to "rejoin" a
// node that was never removed.
import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import type { HistoryEvent, JobEvent, NodeEvent } from '../../observe/history.ts';
import { loadScenarioFile } from '../../scenario/loader.ts';
import { randomSeed } from '../../scenario/random.ts';
import { runScenario } from '../runner.ts';
import { sandboxTarget } from './cluster-targets.ts';
import { SandboxProvider } from '../../cluster/sandbox/sandbox-provider.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const isRoot = process.getuid?.() === 0;
const JOB = 'harvester-promote-worker-0';

describe('sandbox rejoin: a new host under a removed node’s name (Harvester issue 1040)', function () {
  this.timeout(300_000);

  it('harvester-1040-rejoin-same-name: every verdict passes; the re-joined worker-0 is a new Node, promoted by a new Job, after the old Job went with the old Node', async function () {
    if (!isRoot) this.skip();
    const scenario = await loadScenarioFile(`${ROOT}suites/regression/harvester-1040-rejoin-same-name.yaml`);
    const result = await runScenario(scenario, { seed: randomSeed(), target: sandboxTarget() });
    const lines = result.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');
    for (const verdict of result.verdicts) expect(verdict.status, lines).to.equal('pass');

    const history: readonly HistoryEvent[] = result.history;
    const indexOf = (predicate: (e: HistoryEvent) => boolean): number => history.findIndex(predicate);
    const nodeEvents = history.filter((e): e is NodeEvent => e.kind === 'node' && e.node.name === 'worker-0');
    const uids = [...new Set(nodeEvents.map((e) => e.node.uid))];
    expect(uids, 'worker-0 Node objects').to.have.length(2);
    const [oldUid, newUid] = uids as [string, string];
    const oldGone = indexOf((e) => e.kind === 'node' && e.type === 'DELETED' && e.node.uid === oldUid);
    const rejoined = indexOf((e) => e.kind === 'action' && e.fault === 'rejoin' && e.phase === 'applied');
    const newAdded = indexOf((e) => e.kind === 'node' && e.type === 'ADDED' && e.node.uid === newUid);
    expect(oldGone, 'the old worker-0 Node disappears').to.be.greaterThan(-1);
    expect(rejoined, 'the rejoin is applied after the old Node is gone').to.be.greaterThan(oldGone);
    expect(newAdded, 'the new Node is added after the old one is gone').to.be.greaterThan(oldGone);

    const jobEvents = history
      .map((e, i) => ({ e, i }))
      .filter((x): x is { e: JobEvent; i: number } => x.e.kind === 'job' && x.e.name === JOB);
    const oldJobGone = jobEvents.find((x) => x.e.type === 'DELETED' && x.i < newAdded);
    expect(oldJobGone, 'the old promote Job is deleted before the new Node registers').to.not.equal(undefined);
    const newJob = jobEvents.find((x) => x.e.type === 'ADDED' && x.i > newAdded);
    expect(newJob, 'a new promote Job, created after the new Node registered').to.not.equal(undefined);
    expect(newJob?.e.ownerNode).to.equal('worker-0');
    const last = jobEvents.at(-1)?.e;
    expect(last?.type).to.not.equal('DELETED');
    expect(last?.succeeded, 'the new Job completed').to.equal(1);
  });

  it('refuses to rejoin a node whose Node still exists', async function () {
    if (!isRoot) this.skip();
    const cluster = await new SandboxProvider().start({ topology: { controlPlanes: 1, workers: 1 } });
    try {
      let message = '';
      await cluster.inject({ kind: 'rejoin', nodes: ['worker-0'] }).catch((error: unknown) => (message = String(error)));
      expect(message).to.match(/cannot rejoin worker-0: the node was not removed \(it is running\)/);
      expect(cluster.nodeState('worker-0')).to.equal('running');
    } finally {
      await cluster.stop();
    }
  });
});
