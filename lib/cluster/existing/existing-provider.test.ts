// The existing-cluster provider against a running API server (the sandbox's API server over a real etcd): attach
// through a kubeconfig, discover nodes and roles from labels, inject faults through executors (a recording fake
// command, the API for deletion), and the safety rails on the way.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { startApiFixture, writeKubeconfig, type ApiFixture } from '../../sandbox/apiserver/testing/api-fixture.ts';
import { loadKubeConfig } from '../../util/kubeconfig.ts';
import { UnsupportedFaultError } from '../core/provider.ts';
import { parseExecutors } from './executors/config-file.ts';
import { RECORD_COMMAND, readRecord } from './executors/testing/recording.ts';
import { Journal } from '../../faults/journal.ts';
import { SafetyRefusal } from '../../faults/quorum-guard.ts';
import { SetupError } from '../../util/errors.ts';
import { waitFor } from '../../util/wait.ts';
import { ExistingClusterProvider } from './existing-provider.ts';
import type { ExistingOptions } from './existing-options.ts';
import { findPromoteJob, stuckPromotionFailure } from '../../harvester/promote/stuck-promotion.ts';
import { rejection } from '../../util/rejection.testing.ts';

const MANAGEMENT = {
  'node-role.kubernetes.io/control-plane': 'true',
  'node-role.kubernetes.io/etcd': 'true',
  'node-role.kubernetes.io/master': 'true',
  'harvesterhci.io/managed': 'true',
};

function node(name: string, labels: Record<string, string>, address: string, finalizers?: string[]): V1Node {
  return {
    metadata: { name, labels, ...(finalizers ? { finalizers } : {}) },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'InternalIP', address },
        { type: 'Hostname', address: name },
      ],
    },
  };
}

describe('existing-cluster provider (against a running API server)', function () {
  this.timeout(60_000);
  let f: ApiFixture;
  let core: CoreV1Api;
  let dir: string;
  let kubeconfig: string;
  let record: string;
  const saved = { state: process.env['CPCHAOS_STATE_DIR'], record: process.env['CPCHAOS_RECORD'] };

  before(async () => {
    f = await startApiFixture();
    core = f.kubeConfig().makeApiClient(CoreV1Api);
    dir = mkdtempSync(join(tmpdir(), 'cpchaos-existing-'));
    kubeconfig = await writeKubeconfig(dir, f.url);
    process.env['CPCHAOS_STATE_DIR'] = join(dir, 'state');
    record = join(dir, 'record.jsonl');
    process.env['CPCHAOS_RECORD'] = record;
    await core.createNode({ body: node('hv-10', MANAGEMENT, '10.0.0.10') });
    await core.createNode({ body: node('hv-2', MANAGEMENT, '10.0.0.2') });
    await core.createNode({ body: node('hv-1', { ...MANAGEMENT, 'topology.kubernetes.io/zone': 'z1' }, '10.0.0.1') });
    await core.createNode({ body: node('worker-a', { 'harvesterhci.io/managed': 'true' }, '10.0.0.20') });
    // First key present decides: master=false makes this one a worker despite the control-plane label.
    await core.createNode({
      body: node('worker-b', { 'node-role.kubernetes.io/master': 'false', 'node-role.kubernetes.io/control-plane': 'true' }, '10.0.0.21'),
    });
  });
  after(async () => {
    for (const [key, value] of [
      ['CPCHAOS_STATE_DIR', saved.state],
      ['CPCHAOS_RECORD', saved.record],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await f?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => rmSync(record, { force: true }));

  const base = (extra: ExistingOptions = {}): ExistingOptions => ({
    kubeconfigPath: kubeconfig,
    allowContexts: ['sandbox'],
    killSwitch: { path: join(dir, 'killswitch'), signal: false, intervalMs: 20 },
    ...extra,
  });

  const commandExecutors = () =>
    parseExecutors(
      [
        'faults:',
        '  kill:',
        '    command:',
        `      run: ${RECORD_COMMAND} ssh {node.address} sudo systemctl stop rke2-server`,
        `      undo: ${RECORD_COMMAND} ssh {node.address} sudo systemctl start rke2-server`,
        '      timeout: 10s',
        '      because: the recording fake stands in for the host; nothing is stopped',
        '  delete-node: api',
        '  force-delete-node: api',
      ].join('\n'),
      join(dir, 'executors.yaml'),
    );

  it("takes an explicit --profile's timers (harvester-1.5: grace 50 s); the executors file's timers win over them", async () => {
    const cluster = await new ExistingClusterProvider().start(base({ profile: 'harvester-1.5' }));
    try {
      expect(cluster.timers.nodeMonitorGraceMs).to.equal(50_000);
      expect(cluster.notes[0]).to.match(/^profile harvester-1\.5 \(--profile harvester-1\.5\): kubelet 10 s, node-monitor grace 50 s/);
    } finally {
      await cluster.stop();
    }
    const file = parseExecutors(['timers:', '  nodeMonitorGrace: 45s'].join('\n'), join(dir, 'timers.yaml'));
    const withFile = await new ExistingClusterProvider(file).start(base({ profile: 'harvester-1.5' }));
    try {
      expect(withFile.timers).to.deep.equal({
        kubeletHeartbeatMs: 10_000,
        nodeMonitorGraceMs: 45_000,
        etcdHeartbeatMs: 500,
        etcdElectionTimeoutMs: 5000,
      });
      expect(
        withFile.notes.some((n) => /^timers given by the executors file .*timers\.yaml win over the profile's: .*grace 45 s/.test(n)),
      ).to.equal(true);
    } finally {
      await withFile.stop();
    }
  });

  it('attaches through KUBECONFIG, discovers nodes and roles from labels, and leaves the cluster as it was', async () => {
    const provider = new ExistingClusterProvider();
    expect([...provider.supportedFaults]).to.deep.equal([]);
    const cluster = await provider.start({
      env: { KUBECONFIG: kubeconfig },
      allowContexts: ['sandbox'],
      killSwitch: { path: join(dir, 'killswitch'), signal: false },
    });
    try {
      expect(cluster.provider).to.equal('existing');
      expect(cluster.context).to.equal('sandbox');
      expect(cluster.endpoints.kubeconfigPath).to.equal(kubeconfig);
      expect([...cluster.endpoints.nodeKubeconfigPaths]).to.deep.equal([]);
      expect(cluster.nodes).to.deep.equal([
        { name: 'hv-1', role: 'control-plane', address: '10.0.0.1', zone: 'z1' },
        { name: 'hv-2', role: 'control-plane', address: '10.0.0.2' },
        { name: 'hv-10', role: 'control-plane', address: '10.0.0.10' },
        { name: 'worker-a', role: 'worker', address: '10.0.0.20' },
        { name: 'worker-b', role: 'worker', address: '10.0.0.21' },
      ]);
      expect(cluster.timers).to.deep.equal({
        kubeletHeartbeatMs: 10_000,
        nodeMonitorGraceMs: 40_000,
        etcdHeartbeatMs: 500,
        etcdElectionTimeoutMs: 5000,
      });
      // No kubelet version and no Harvester Setting on this API server: harvester-1.4's profile, said so.
      expect(cluster.notes[0]).to.match(
        /^profile harvester-1\.4 \(no kubelet version and no Harvester version readable: falling back to harvester-1\.4's\)/,
      );
      expect(cluster.notes.at(-2)).to.match(/^endpoint unknown: availability is measured on http:\/\/127\.0\.0\.1:/);
      expect(cluster.notes.at(-1)).to.match(/^cluster elsewhere \(no onHarnessMachine: true in an executors file\)/);
      expect(cluster.onHarnessMachine).to.equal(false);
      expect(cluster.endpointFailoverMs).to.equal(17_000);
      expect(await rejection<Error>(cluster.inject({ kind: 'kill', nodes: ['hv-1'] }))).to.be.instanceOf(UnsupportedFaultError);
      expect(existsSync(cluster.runDir)).to.equal(true);
    } finally {
      await cluster.stop();
      await cluster.stop();
    }
    expect(existsSync(cluster.runDir), 'run folder removed').to.equal(false);
    expect((await core.listNode()).items).to.have.length(5);
  });

  it('with --context, writes a copy holding only that context into the run folder', async () => {
    const multi = join(dir, 'multi.yaml');
    const doc = parse(readFileSync(kubeconfig, 'utf8')) as {
      clusters: unknown[];
      users: unknown[];
      contexts: unknown[];
      'current-context': string;
    };
    doc.clusters.push({ name: 'prod', cluster: { server: 'https://prod.invalid:6443' } });
    doc.users.push({ name: 'prod-admin', user: { token: 'prod-token' } });
    doc.contexts.push({ name: 'prod', context: { cluster: 'prod', user: 'prod-admin' } });
    doc['current-context'] = 'prod';
    writeFileSync(multi, JSON.stringify(doc));
    const cluster = await new ExistingClusterProvider().start(base({ kubeconfigPath: multi, context: 'sandbox', keepRunDir: true }));
    try {
      expect(cluster.endpoints.kubeconfigPath).to.equal(join(cluster.runDir, 'kubeconfig.yaml'));
      const copy = parse(readFileSync(cluster.endpoints.kubeconfigPath, 'utf8')) as Record<string, unknown>;
      expect(copy['current-context']).to.equal('sandbox');
      expect(JSON.stringify(copy)).not.to.contain('prod');
      const viaCopy = loadKubeConfig(cluster.endpoints.kubeconfigPath).makeApiClient(CoreV1Api);
      expect((await viaCopy.listNode()).items).to.have.length(5);
    } finally {
      await cluster.stop();
      rmSync(cluster.runDir, { recursive: true, force: true });
    }
    const unknown = await rejection<Error>(new ExistingClusterProvider().start(base({ kubeconfigPath: multi, context: 'staging' })));
    expect(unknown).to.be.instanceOf(SetupError);
    expect(unknown.message).to.contain('has no context "staging" (contexts: sandbox, prod)');
  });

  it('refuses a destructive run on a context not in the allowlist, naming it, before touching anything', async () => {
    const runsBefore = Journal.listRunDirs();
    const error = await rejection<Error>(new ExistingClusterProvider(commandExecutors()).start(base({ allowContexts: ['lab-rack'] })));
    expect(error).to.be.instanceOf(SetupError);
    expect(error.message).to.contain('refusing to inject faults into kubeconfig context "sandbox"');
    expect(Journal.listRunDirs(), 'no run folder').to.deep.equal(runsBefore);
  });

  it('deletes nodes through the API: normally (finalizers hold it) and with finalizers forced off', async () => {
    await core.createNode({ body: node('del-a', {}, '10.0.0.30', ['example.com/hold']) });
    await core.createNode({ body: node('del-b', {}, '10.0.0.31', ['example.com/hold']) });
    const cluster = await new ExistingClusterProvider(commandExecutors()).start(base({ keepRunDir: true }));
    try {
      expect(cluster.onHarnessMachine, 'an executors file without onHarnessMachine: a cluster elsewhere').to.equal(false);
      await cluster.inject({ kind: 'delete-node', nodes: ['del-a'] });
      const held = await core.readNode({ name: 'del-a' });
      expect(held.metadata?.deletionTimestamp, 'terminating, held by its finalizer').to.not.equal(undefined);
      await cluster.inject({ kind: 'force-delete-node', nodes: ['del-b'] });
      const gone = await rejection<Error>(core.readNode({ name: 'del-b' }));
      expect((gone as unknown as { code: number }).code).to.equal(404);
      const intents = Journal.read(cluster.runDir)
        .filter((e) => e.type === 'fault-intent')
        .map((e) => e.type === 'fault-intent' && e.description);
      expect(intents).to.deep.equal(['delete-node del-a', 'force-delete-node del-b']);
    } finally {
      await cluster.stop();
      rmSync(cluster.runDir, { recursive: true, force: true });
      await core
        .patchNode({ name: 'del-a', body: { metadata: { finalizers: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
        .catch(() => undefined);
    }
  });

  it('runs command executors with exact argv, refuses a step that would lose quorum, and undoes at stop', async () => {
    const cluster = await new ExistingClusterProvider(commandExecutors()).start(base());
    try {
      await cluster.inject({ kind: 'kill', nodes: ['hv-1'] });
      const refused = await rejection<Error>(cluster.inject({ kind: 'kill', nodes: ['hv-2'] }));
      expect(refused).to.be.instanceOf(SafetyRefusal);
      expect(refused.message).to.contain(
        'refusing "kill hv-2": it would take down hv-2 (already down: hv-1), leaving 1 of 3 control-plane nodes up; etcd quorum needs 2',
      );
      await cluster.inject({ kind: 'kill', nodes: ['worker-a'] });
    } finally {
      await cluster.stop();
    }
    expect(readRecord(record).map((r) => r.argv.join(' '))).to.deep.equal([
      'ssh 10.0.0.1 sudo systemctl stop rke2-server',
      'ssh 10.0.0.20 sudo systemctl stop rke2-server',
      'ssh 10.0.0.20 sudo systemctl start rke2-server',
      'ssh 10.0.0.1 sudo systemctl start rke2-server',
    ]);
    const allowed = await new ExistingClusterProvider(commandExecutors()).start(base({ allowQuorumLoss: true }));
    try {
      await allowed.inject({ kind: 'kill', nodes: ['hv-1', 'hv-2', 'hv-10'] });
    } finally {
      await allowed.stop();
    }
    expect(readRecord(record)).to.have.length(10);
  });

  it('dry-run attaches and prints every step and command without running any (no allowlist needed)', async () => {
    const lines: string[] = [];
    const cluster = await new ExistingClusterProvider(commandExecutors()).start(
      base({ dryRun: true, allowContexts: [], onDryRunLine: (l) => lines.push(l) }),
    );
    try {
      const fault = await cluster.inject({ kind: 'kill', nodes: ['hv-2'] });
      await cluster.inject({ kind: 'force-delete-node', nodes: ['worker-b'] });
      await rejection<Error>(cluster.inject({ kind: 'kill', nodes: ['hv-10'] }));
      await fault.undo();
    } finally {
      await cluster.stop();
    }
    expect(readRecord(record)).to.deep.equal([]);
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).to.include('worker-b');
    expect(lines).to.deep.equal(cluster.dryRunLines);
    expect(lines).to.deep.equal([
      '[dry-run] fault 1: kill hv-2',
      `  would run (hv-2): ${RECORD_COMMAND} ssh 10.0.0.2 sudo systemctl stop rke2-server`,
      '[dry-run] fault 2: force-delete-node worker-b',
      `  would run (worker-b): GET ${f.url}/api/v1/nodes/worker-b (finalizers, resourceVersion), PATCH ${f.url}/api/v1/nodes/worker-b (json) [test: those finalizers, remove /metadata/finalizers], then DELETE ${f.url}/api/v1/nodes/worker-b {"preconditions":{"resourceVersion":<the PATCH's>}}; again (up to 5 rounds) when the DELETE meets a changed Node (409)`,
      '[dry-run] refused: refusing "kill hv-10": it would take down hv-10 (already down: hv-2), leaving 1 of 3 control-plane nodes up; etcd quorum needs 2. Set allowQuorumLoss: true in the scenario to break quorum on purpose.',
      '[dry-run] undo fault 1: kill hv-2',
      `  would run: ${RECORD_COMMAND} ssh 10.0.0.2 sudo systemctl start rke2-server`,
      '[dry-run] undo fault 2: force-delete-node worker-b',
      '  (nothing to undo)',
    ]);
  });

  const removeHostExecutors = (extra: string[] = []) =>
    parseExecutors(
      [
        'faults:',
        '  uninstall:',
        `    command: { run: "${RECORD_COMMAND} ssh root@{node.address} /opt/rke2/bin/rke2-uninstall.sh" }`,
        '  poweroff:',
        `    command: { run: "${RECORD_COMMAND} ssh root@{node.address} systemctl poweroff" }`,
        '  delete-node: api',
        ...extra,
      ].join('\n'),
      join(dir, 'remove-host.yaml'),
    );

  it('dry-run plans a remove-host as documented, each step in order: maintenance (API drain), uninstall, power-off, Node DELETE', async () => {
    const lines: string[] = [];
    const cluster = await new ExistingClusterProvider(removeHostExecutors()).start(
      base({ allowContexts: [], dryRun: true, onDryRunLine: (line) => lines.push(line) }),
    );
    try {
      expect([...cluster.supportedFaults].sort()).to.deep.equal(['delete-node', 'remove-host']);
      const fault = await cluster.inject({ kind: 'remove-host', nodes: ['hv-2'] });
      await fault.undo();
    } finally {
      await cluster.stop();
    }
    expect(readRecord(record)).to.deep.equal([]);
    expect(lines).to.deep.equal([
      '[dry-run] fault 1: remove-host hv-2',
      `  would run (hv-2): PATCH ${f.url}/api/v1/nodes/hv-2 (merge) {"spec":{"unschedulable":true}}, then POST .../pods/<pod>/eviction for each pod on hv-2 but DaemonSet and mirror pods (drain)`,
      `  would run (hv-2): ${RECORD_COMMAND} ssh root@10.0.0.2 /opt/rke2/bin/rke2-uninstall.sh`,
      `  would run (hv-2): ${RECORD_COMMAND} ssh root@10.0.0.2 systemctl poweroff`,
      `  would run (hv-2): DELETE ${f.url}/api/v1/nodes/hv-2`,
      '[dry-run] undo fault 1: remove-host hv-2',
      '  (nothing to undo)',
    ]);
  });

  it('removes a host: journals every step before it runs and names what cannot be undone; the Node is gone', async () => {
    await core.createNode({ body: node('hv-gone', { 'harvesterhci.io/managed': 'true' }, '10.0.0.30') });
    const cluster = await new ExistingClusterProvider(removeHostExecutors()).start(base({ keepRunDir: true }));
    let journal: string;
    try {
      await cluster.inject({ kind: 'remove-host', nodes: ['hv-gone'] });
      journal = readFileSync(join(cluster.runDir, 'journal.jsonl'), 'utf8');
    } finally {
      await cluster.stop();
    }
    expect(readRecord(record).map((r) => r.argv.join(' '))).to.deep.equal([
      'ssh root@10.0.0.30 /opt/rke2/bin/rke2-uninstall.sh',
      'ssh root@10.0.0.30 systemctl poweroff',
    ]);
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).to.not.include('hv-gone');
    const entries = journal
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; description?: string; steps?: string[]; notUndoable?: string[] });
    const intent = entries.find((e) => e.type === 'fault-intent');
    expect(intent?.description).to.equal('remove-host hv-gone');
    expect(intent?.steps).to.have.length(4);
    expect(intent?.notUndoable).to.have.length(4);
    expect(intent?.notUndoable?.[3]).to.equal(`hv-gone: DELETE ${f.url}/api/v1/nodes/hv-gone`);
    const steps = entries.filter((e) => e.type === 'fault-step').map((e) => e.description);
    expect(steps).to.deep.equal(intent?.steps);
    // Each step is journaled before it runs: the intent, then the steps, in order.
    expect(entries.map((e) => e.type).filter((t) => t.startsWith('fault-'))).to.deep.equal([
      'fault-intent',
      'fault-step',
      'fault-step',
      'fault-step',
      'fault-step',
    ]);
  });

  it('a remove-host needs uninstall or poweroff and delete-node for the node; without them it is unsupported', async () => {
    const executors = parseExecutors(['faults:', '  delete-node: api'].join('\n'), join(dir, 'no-remove.yaml'));
    expect([...new ExistingClusterProvider(executors).supportedFaults]).to.deep.equal(['delete-node']);
    const perNode = parseExecutors(
      [
        'faults:',
        '  delete-node: api',
        'nodes:',
        '  hv-1:',
        '    faults:',
        `      poweroff: { command: { run: "${RECORD_COMMAND} off" } }`,
      ].join('\n'),
      join(dir, 'per-node.yaml'),
    );
    const cluster = await new ExistingClusterProvider(perNode).start(base({ allowContexts: [], dryRun: true }));
    try {
      expect(cluster.supportedFaults.has('remove-host')).to.equal(true);
      const error = await rejection<Error>(cluster.inject({ kind: 'remove-host', nodes: ['hv-2'] }));
      expect(error).to.be.instanceOf(UnsupportedFaultError);
      expect(error.message).to.match(/remove-host needs uninstall or poweroff for node hv-2 in .*per-node\.yaml/);
    } finally {
      await cluster.stop();
    }
  });

  it('heal undoes the network faults held (newest first); restart brings a killed node back for the guard', async () => {
    const executors = parseExecutors(
      [
        'faults:',
        `  isolate: {command: {run: "${RECORD_COMMAND} isolate {node.name}", undo: "${RECORD_COMMAND} rejoin {node.name}"}}`,
        `  kill: {command: {run: "${RECORD_COMMAND} stop {node.name}", undo: "${RECORD_COMMAND} start {node.name}"}}`,
        `  restart: {command: {run: "${RECORD_COMMAND} restart {node.name}"}}`,
      ].join('\n'),
      join(dir, 'executors.yaml'),
    );
    const cluster = await new ExistingClusterProvider(executors).start(base({ keepRunDir: true }));
    try {
      expect([...cluster.supportedFaults].sort()).to.deep.equal(['heal', 'isolate', 'kill', 'restart']);
      await cluster.inject({ kind: 'isolate', nodes: ['hv-1'] });
      await cluster.inject({ kind: 'isolate', nodes: ['worker-a'] });
      await cluster.inject({ kind: 'heal' });
      await cluster.inject({ kind: 'kill', nodes: ['hv-2'] });
      await cluster.inject({ kind: 'restart', nodes: ['hv-2'] });
      await cluster.inject({ kind: 'kill', nodes: ['hv-10'] }); // hv-2 is back: one of three down is fine
      const journal = Journal.read(cluster.runDir)
        .filter((e) => e.type === 'fault-undone')
        .map((e) => e.type === 'fault-undone' && e.id);
      expect(journal).to.deep.equal(['f2', 'f1']);
    } finally {
      await cluster.stop();
      rmSync(cluster.runDir, { recursive: true, force: true });
    }
    expect(readRecord(record).map((r) => r.argv.join(' '))).to.deep.equal([
      'isolate hv-1',
      'isolate worker-a',
      'rejoin worker-a',
      'rejoin hv-1',
      'stop hv-2',
      'restart hv-2',
      'stop hv-10',
      'start hv-10',
      'start hv-2',
    ]);
  });

  it('fails at start when a node lacks what its executor needs', async () => {
    const executors = parseExecutors(
      ['faults:', `  kill: {command: {run: "${RECORD_COMMAND} power-off {node.bmc}"}}`, 'nodes:', '  hv-1: {bmc: 10.0.1.1}'].join('\n'),
      join(dir, 'executors.yaml'),
    );
    const error = await rejection<Error>(new ExistingClusterProvider(executors).start(base()));
    expect(error).to.be.instanceOf(SetupError);
    expect(error.message.split('\n')).to.deep.equal([
      `executors file ${join(dir, 'executors.yaml')} does not fit context "sandbox":`,
      ...['hv-2', 'hv-10', 'worker-a', 'worker-b'].map(
        (n) => `  node ${n}: kill command uses {node.bmc}, but the node has no bmc (set nodes.${n}.bmc in ${join(dir, 'executors.yaml')})`,
      ),
    ]);
  });

  for (const trigger of ['file', 'signal'] as const) {
    it(`kill switch (${trigger}): stops injection and undoes every fault`, async () => {
      const switchFile = join(dir, `killswitch-${trigger}`);
      const tripped: string[] = [];
      const cluster = await new ExistingClusterProvider(commandExecutors()).start(
        base({
          killSwitch: { path: switchFile, signal: trigger === 'signal' ? 'SIGUSR1' : false, intervalMs: 20 },
          onKillSwitch: (reason) => tripped.push(reason),
        }),
      );
      try {
        await cluster.inject({ kind: 'kill', nodes: ['hv-1'] });
        await cluster.inject({ kind: 'kill', nodes: ['worker-a'] });
        if (trigger === 'file') writeFileSync(switchFile, '');
        else process.kill(process.pid, 'SIGUSR1');
        await waitFor(`the kill switch (${trigger}) to undo both faults`, () => readRecord(record).length === 4, {
          timeoutMs: 10_000,
          intervalMs: 20,
        });
        expect(tripped).to.deep.equal([trigger === 'file' ? `kill switch file ${switchFile} exists` : 'received SIGUSR1']);
        const after = await rejection<Error>(cluster.inject({ kind: 'kill', nodes: ['hv-2'] }));
        expect(after).to.be.instanceOf(SafetyRefusal);
        expect(after.message).to.match(/^kill switch tripped \(.*\): fault injection is stopped$/);
      } finally {
        await cluster.stop();
      }
      expect(readRecord(record).map((r) => r.argv.slice(1, 2).concat(r.argv.slice(4, 5)).join(' '))).to.deep.equal([
        '10.0.0.1 stop',
        '10.0.0.20 stop',
        '10.0.0.20 start',
        '10.0.0.1 start',
      ]);
      if (trigger === 'file') {
        const error = await rejection<Error>(
          new ExistingClusterProvider().start(base({ killSwitch: { path: switchFile, signal: false } })),
        );
        expect(error.message).to.equal(`the kill switch file ${switchFile} exists: remove it to start a run`);
      }
    });
  }

  it("names the promote Job's state when a promotion outlives its budget", async () => {
    const batch = f.kubeConfig().makeApiClient(BatchV1Api);
    expect(await f.server.namespacesReady).to.equal(true);
    await batch.createNamespacedJob({
      namespace: 'harvester-system',
      body: {
        metadata: { name: 'harvester-promote-worker-a', labels: { 'harvesterhci.io/promote-node': 'worker-a' } },
        spec: { backoffLimit: 2, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'promote', image: 'busybox' }] } } },
      },
    });
    const job = await findPromoteJob(f.kubeConfig(), 'worker-a');
    expect(job?.metadata?.name).to.equal('harvester-promote-worker-a');
    expect(stuckPromotionFailure('worker-a', job, 15 * 60_000)).to.equal(
      'promotion of worker-a did not complete within 15m: Job harvester-system/harvester-promote-worker-a is pending, no pod running; ' +
        '0 active, 0 succeeded, 0 failed pods (backoffLimit 2); not started; no activeDeadlineSeconds. ' +
        'Harvester sets no deadline on promote Jobs, so it would stay running forever (harvester#2191, #8968)',
    );
    expect(await findPromoteJob(f.kubeConfig(), 'worker-b')).to.equal(undefined);
  });
});
