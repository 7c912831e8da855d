// Entry point of a sandbox node agent, started by the harness inside the node's network namespace.
// Every node runs the kubelet. A control-plane node also runs its etcd member (as the agent's child), the
// Kubernetes API server backed by that member, and the leader-elected controllers. A worker becomes a control
// plane when a promotion adds its etcd member. The agent exits when the harness goes away (stdin closes) or on SIGTERM.
// A 'kubeadm' node (a kind twin's node, config.distribution) runs kube-controller-manager's controllers only: no
// etcd member removal on Node deletion, no Harvester promote controller or Job runner, no k3s learner promotion.
import { readAgentConfig, readApiEndpoints, type EtcdMemberPlan } from './config.ts';
import { FailoverApiClient } from './api-client.ts';
import { Kubelet } from './kubelet.ts';
import { ControllerManager, type Controller } from './controller-manager.ts';
import { reconcileNodeLifecycle } from './node-lifecycle-controller.ts';
import { harvesterNodeFinalizerController } from './harvester-node-finalizers.ts';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT, loadPlan, startEtcdMember } from './etcd-member-process.ts';
import { startReachabilityProbe, type ProbeTarget } from './reachability-probe.ts';
import { EtcdClient } from '../etcd/gateway-client.ts';
import { startApiServer } from '../apiserver/server.ts';
import { loadPromotionPolicy, selectPromoteNode, type PromotionPolicy } from '../../harvester/promotion.ts';
import { PromoteController } from './promote-controller.ts';
import { learnerTickMs, manageLearners } from './etcd-learner-manager.ts';
import { collectGarbage, failoverGarbageCollectorApi } from './garbage-collector.ts';
import { PodGarbageCollector, failoverPodGcApi } from './pod-gc.ts';
import { failoverKubeletPodsApi, syncNodePods } from './kubelet-pods.ts';
import { ChangeWatch, type ChangeWatchOptions } from './change-watch.ts';
import { VIP_HEALTH_INTERVAL_MS } from '../vip.ts';
import { PROMOTE_JOB_NAMESPACE, PROMOTE_JOB_NODE_LABEL } from '../../harvester/contract.ts';
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { sleepMs } from '../../util/wait.ts';
import { startPeriodic } from '../../util/periodic.ts';
import { KILL_AT_ONCE, stopProcesses } from '../../util/process-exit.ts';
import { PromoteJobRunner, etcdUrlsFromEndpointsFile, promoteJobApi, promotionFails } from './promote-job-runner.ts';
import { startHarvesterNode } from './harvester-profile-parts.ts';
import { nodeResources, readMachineInfo } from './node-resources.ts';
import { MemoryPressureMonitor, readMemoryThreshold } from './memory-pressure.ts';
import { apiErrorMessage } from '../../util/kubeconfig.ts';
import { waitForFile } from './start-gate.ts';

const configPath = process.argv[2];
if (!configPath) {
  console.error('usage: agent <config.json>');
  process.exit(2);
}
const config = readAgentConfig(configPath);
const { timers } = config;
const kubeadm = config.distribution === 'kubeadm';
const apiScheme = config.apiServer.tls ? 'https' : 'http';

const lastLogged = new Map<string, number>();
function log(message: string): void {
  console.error(`${new Date().toISOString()} [${config.nodeName}] ${message}`);
}
function logError(what: string, error: unknown): void {
  // A failed request in one line (client-node's own message spans four, with the headers).
  const text = `${what}: ${apiErrorMessage(error)}`.slice(0, 300);
  const now = Date.now();
  if ((lastLogged.get(text) ?? 0) > now - 2000) return;
  lastLogged.set(text, now);
  log(text);
}

const stops: (() => Promise<void> | void)[] = [];
let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`stopping: ${reason}`);
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      logError('stop', error);
    }
  }
  process.exit(0);
}
process.stdin.on('end', () => void shutdown('harness went away'));
process.stdin.on('error', () => void shutdown('harness went away'));
process.stdin.resume();
process.on('SIGTERM', () => void shutdown('SIGTERM'));
// SIGHUP is the node's `systemctl restart kubelet` (the harness changed the kubelet's configuration file): handled from
// the start, as the default action would end the whole node.
const kubeletRestarts: (() => void)[] = [];
process.on('SIGHUP', () => {
  log('kubelet restart: configuration read again');
  for (const restart of kubeletRestarts) restart();
});

// At the cluster's first start a worker waits here, loaded, until the harness says the control planes are registered.
if (config.startGateFile) await waitForFile(config.startGateFile);

let localServer: string | undefined;
let etcd: EtcdClient | undefined;
// kubeadm's kubelet.conf names the control-plane endpoint (kind: its load balancer), not the node's own API server.
const api = new FailoverApiClient(config.apiEndpointsFile, () => (kubeadm ? undefined : localServer), timers.apiRequestDeadlineMs);
const policy: PromotionPolicy = config.promotionPolicy ? await loadPromotionPolicy(config.promotionPolicy) : { selectPromoteNode };
log(`promotion policy: ${config.promotionPolicy ?? 'reference (Harvester selectPromoteNode)'}`);

function startControllers(localEtcd: EtcdClient): void {
  // Controllers talk to this node's API server only: a node that lost its etcd member (or quorum) cannot keep the
  // leader lease through other servers while acting on a dead local etcd.
  const localClient = (): FailoverApiClient =>
    new FailoverApiClient(config.apiEndpointsFile, () => localServer, timers.apiRequestDeadlineMs, true);
  const api = localClient();
  // As the controllers read informer caches: their Node, Job and Pod lists are kept until a watch sees a change (or
  // the resync); the node Leases change every heartbeat and are listed each pass.
  for (const [key, path] of [
    ['nodes', '/api/v1/nodes'],
    ['jobs', '/apis/batch/v1/jobs'],
    [`jobs/${PROMOTE_JOB_NAMESPACE}`, `/apis/batch/v1/namespaces/${PROMOTE_JOB_NAMESPACE}/jobs`],
    ['pods', '/api/v1/pods'],
  ] as const) {
    api.keepList(key, changeWatch(api, path, {}));
  }
  const gcApi = failoverGarbageCollectorApi(api);
  const nodeLifecycle: Controller = {
    name: 'node-lifecycle',
    reconcile: ({ leadingSinceMs }) =>
      reconcileNodeLifecycle(api, { gracePeriodMs: timers.nodeMonitorGraceMs, leadingSinceMs: () => leadingSinceMs }),
  };
  const garbageCollector: Controller = { name: 'garbage-collector', reconcile: () => collectGarbage(gcApi, log) };
  // Pods of a deleted node go once it has been missing for the node-monitor grace period (upstream: 40 s).
  const podGc = new PodGarbageCollector(failoverPodGcApi(api), { quarantineMs: timers.nodeMonitorGraceMs, log });
  const controllers: Controller[] = kubeadm
    ? [nodeLifecycle, garbageCollector, podGc]
    : [
        nodeLifecycle,
        harvesterNodeFinalizerController(api, localEtcd, { holdMs: config.nodeRemoval?.finalizerHoldMs ?? 0 }),
        garbageCollector,
        podGc,
        new PromoteController(api, policy, {
          log,
          ...(config.promotion?.jobResyncMs ? { jobResyncMs: config.promotion.jobResyncMs } : {}),
          ...(config.promotion?.failJobCreate ? { failJobCreate: config.promotion.failJobCreate } : {}),
        }),
      ];
  const manager = new ControllerManager(api, controllers, {
    electionApi: localClient(),
    identity: config.nodeName,
    leaseMs: timers.leaderLeaseMs,
    periodMs: timers.kubeletHeartbeatMs,
    onError: logError,
    onLeadership: (leading) => log(leading ? 'became controller leader' : 'stopped leading controllers'),
  });
  manager.start();
  stops.push(() => manager.stop());
}

/** manageLearners (k3s pkg/etcd) on every node that runs etcd: the etcd leader promotes the first learner. */
function startLearnerManager(localEtcd: EtcdClient): void {
  const stop = startPeriodic(
    learnerTickMs(timers.nodeMonitorGraceMs, timers.kubeletHeartbeatMs),
    async () => {
      const pass = await manageLearners(localEtcd);
      if (pass.kind === 'promoted') log(`etcd: promoted learner ${pass.member.idHex} to a voting member`);
    },
    (error) => logError('etcd learner management', error),
  );
  stops.push(stop);
}

/** Whether the local etcd member has voted once (its join is complete). */
let memberVoted = false;
/** rke2-server's systemd unit restarts it 5 s after it exits (RestartSec=5s); compressed like the sandbox's timers. */
const JOIN_RETRY_MS = 1000;

/** Resolves once the local member is a voting member (k3s ETCD.Test refuses a learner), or when the agent stops. */
async function untilVoting(localEtcd: EtcdClient): Promise<void> {
  for (;;) {
    if (stopping) return;
    const status = await localEtcd.status().catch(() => undefined);
    if (status && !status.isLearner && status.leader !== '0') {
      memberVoted = true;
      return;
    }
    await sleepMs(200);
  }
}

/** Starts the local etcd member process for the plan. */
function spawnMember(plan: EtcdMemberPlan): ChildProcess {
  return startEtcdMember(
    {
      name: config.nodeName,
      address: config.address,
      etcdDir: config.etcdDir,
      heartbeatMs: timers.etcdHeartbeatMs,
      electionTimeoutMs: timers.etcdElectionTimeoutMs,
    },
    plan,
  );
}

async function startApiServerAndControllers(localEtcd: EtcdClient): Promise<void> {
  await untilVoting(localEtcd);
  if (stopping) return;
  const { tls, namespaces, auditLogPath } = config.apiServer;
  const server = await startApiServer({
    etcd: localEtcd,
    listen: [{ host: config.address, port: config.apiServer.port }, { socketPath: config.apiServer.socketPath }],
    requestDeadlineMs: timers.apiRequestDeadlineMs,
    // kube-apiserver probes etcd at most every 1 s for health checks, half the interval of kind's HAProxy checks (2 s,
    // kept on the kind twin); the sandbox's VIP probes every 200 ms, so its servers probe at most every 100 ms.
    ...(kubeadm ? {} : { etcdHealthIntervalMs: VIP_HEALTH_INTERVAL_MS / 2 }),
    nodeName: config.nodeName,
    ...(tls ? { tls: { key: readFileSync(tls.keyFile, 'utf8'), cert: readFileSync(tls.certFile, 'utf8') } } : {}),
    ...(namespaces ? { namespaces } : {}),
    ...(auditLogPath ? { auditLogPath } : {}),
  });
  stops.push(() => server.close());
  localServer = `${apiScheme}://${config.address}:${config.apiServer.port}`;
  log(`API server listening on ${localServer} and ${config.apiServer.socketPath}`);
  startControllers(localEtcd);
}

/**
 * Starts the node's etcd member, then (once it votes: a promotion adds it as a learner) the API server and the
 * controllers: at boot, or when a promotion adds the member. An etcd-only member (a promoted witness, RKE2's etcd
 * role alone) runs etcd only: no API server (so it is no VIP backend) and no controllers.
 */
async function becomeControlPlane(plan: EtcdMemberPlan, options: { readonly etcdOnly: boolean } = { etcdOnly: false }): Promise<void> {
  if (etcd) return;
  const etcdOnly = options.etcdOnly || plan.etcdOnly === true;
  const memberPlan = etcdOnly ? { ...plan, etcdOnly } : plan;
  let member = spawnMember(memberPlan);
  // The agent exits only once its etcd member has (SIGKILL: the node goes down as one; a member that would not die
  // is logged, and the harness's stop of the node finds it in the namespace). The member may have been restarted.
  stops.push(() => {
    const current = member;
    return current.pid === undefined
      ? undefined
      : stopProcesses(
          [{ pid: current.pid, what: 'etcd', exited: () => current.exitCode !== null || current.signalCode !== null }],
          KILL_AT_ONCE,
        );
  });
  // A member that exits before it ever voted failed its join (etcd exits when it cannot fetch the cluster from its
  // peers): rke2-server exits with it and systemd starts it again (rke2's unit: Restart=always, RestartSec=5s), so
  // the join is retried until the peers are reachable. Once it has voted, an exit is the node's own business (and an
  // etcd-only witness, which never waits for its vote here, is not restarted).
  const retryJoin = (code: number | null, signal: NodeJS.Signals | null): void => {
    log(`etcd exited (${signal ?? `code ${code}`})`);
    if (stopping || memberVoted || etcdOnly) return;
    log(`etcd exited before it joined: starting it again in ${JOIN_RETRY_MS} ms`);
    setTimeout(() => {
      if (stopping) return;
      member = spawnMember(memberPlan);
      member.once('exit', retryJoin);
    }, JOIN_RETRY_MS);
  };
  member.once('exit', retryJoin);
  const localEtcd = new EtcdClient({ endpoint: { url: `http://127.0.0.1:${ETCD_CLIENT_PORT}` }, deadlineMs: timers.apiRequestDeadlineMs });
  etcd = localEtcd;
  // kubeadm join promotes its own learner (kubeadm's etcd phase, MemberPromote); k3s's leader does (manageLearners).
  if (!kubeadm) startLearnerManager(localEtcd);
  if (etcdOnly) {
    log('etcd only (witness): no API server, no controllers');
    return;
  }
  // Not awaited: a learner waits for the etcd leader to promote it; the promote job waits for /readyz meanwhile.
  void startApiServerAndControllers(localEtcd).catch((error: unknown) => logError('starting the API server', error));
}

const plan = config.etcdMember ?? loadPlan(config.etcdDir);
if (plan) await becomeControlPlane(plan);

const kubelet = new Kubelet(api, {
  nodeName: config.nodeName,
  address: config.address,
  labels: config.labels,
  heartbeatMs: timers.kubeletHeartbeatMs,
  // Upstream the Lease is renewed every quarter of its duration (40 s, the node-monitor grace's default): the
  // sandbox's own nodes every quarter of their grace. A kind twin's node ticks at its kind config's renewal interval
  // already (0.25 x nodeLeaseDurationSeconds, fixtures/kind-twin/daemon/kind-config.ts), whatever its grace.
  leaseRenewMs: kubeadm ? timers.kubeletHeartbeatMs : Math.max(timers.kubeletHeartbeatMs, timers.nodeMonitorGraceMs / 4),
  // Upstream the kubelet checks its status every 10 s and reports it unchanged every 5 min, with a 40 s node-monitor
  // grace: a quarter of the grace, and 7.5 graces (but never less often than the heartbeat).
  statusUpdateMs: Math.max(timers.kubeletHeartbeatMs, timers.nodeMonitorGraceMs / 4),
  statusReportMs: Math.max(timers.kubeletHeartbeatMs, timers.nodeMonitorGraceMs * 7.5),
  onError: logError,
  onRegistered: () => {
    log('kubelet: Node registered');
    // A promote Job names its node: none can exist for a node not yet registered. Started here, its watch and lists
    // stay out of a large cluster's start, where every worker waits for the one before it.
    if (!kubeadm) startPromoteJobRunner();
  },
  registerAfter: config.registerAfter,
  watchPredecessor: (name, changed) => changeWatch(api, '/api/v1/nodes', { fieldSelector: `metadata.name=${name}` }, { onEvent: changed }),
  // The machine's real resources; the node's folder (the agent's working directory) stands for the kubelet's root dir.
  resources: nodeResources(readMachineInfo(process.cwd())),
  // evictionPressureTransitionPeriod is 5 min upstream: 7.5 node-monitor graces, as the status report period.
  memoryPressure: new MemoryPressureMonitor({
    threshold: () => readMemoryThreshold(config.kubeletConfigFile),
    transitionMs: timers.nodeMonitorGraceMs * 7.5,
  }),
});
kubeletRestarts.push(() => kubelet.restart());
kubelet.start();
stops.push(() => kubelet.stop());
/**
 * A watch telling a per-heartbeat loop when its list may have changed (change-watch.ts). Its resync is a safety net
 * only: a watch through a member that lost its leader ends (the etcd watches require a leader), and the loop then
 * lists every tick; client-go's informers never list again on a resync (they replay their cache).
 */
function changeWatch(
  client: FailoverApiClient,
  path: string,
  query: Readonly<Record<string, string>>,
  extra: Pick<ChangeWatchOptions, 'onEvent'> = {},
): ChangeWatch {
  const watch = new ChangeWatch(client, path, query, {
    resyncMs: timers.nodeMonitorGraceMs,
    retryMs: timers.kubeletHeartbeatMs * 4,
    connectDeadlineMs: timers.apiRequestDeadlineMs,
    onError: logError,
    ...extra,
  });
  watch.start();
  stops.push(() => watch.stop());
  return watch;
}

// The kubelet's pods (kubelet-pods.ts), on its heartbeat: bound pods start, deleted or evicted ones are finished.
const kubeletPodsApi = failoverKubeletPodsApi(api);
const podChanges = changeWatch(api, '/api/v1/pods', { fieldSelector: `spec.nodeName=${config.nodeName}` });
stops.push(
  startPeriodic(
    timers.kubeletHeartbeatMs,
    async () => {
      if (kubelet.nodeGone || !podChanges.listDue()) return;
      try {
        const { started, removed } = await syncNodePods(kubeletPodsApi, config.nodeName, config.address);
        if (started.length > 0) log(`kubelet: started pods ${started.join(', ')}`);
        if (removed.length > 0) log(`kubelet: removed pods ${removed.join(', ')}`);
      } catch (error) {
        podChanges.listAgain();
        throw error;
      }
    },
    (error) => logError('kubelet pod sync', error),
  ),
);
// The sandbox's Harvester profile: RKE2's etcd node metadata once etcd runs, kube-vip once the API server does.
if (config.harvester) {
  const { harvester } = config;
  stops.push(
    startHarvesterNode({
      config: harvester,
      nodeName: config.nodeName,
      address: config.address,
      etcdDir: config.etcdDir,
      periodMs: timers.kubeletHeartbeatMs,
      api,
      hasEtcdMember: () => etcd !== undefined,
      servesApi: () => localServer !== undefined,
      log,
      onError: logError,
    }),
  );
}
// A policy other than the reference may check candidates' connectivity: its probe runs on every node.
if (config.promotionPolicy && !kubeadm) {
  stops.push(
    startReachabilityProbe(api, {
      nodeName: config.nodeName,
      periodMs: Math.max(1000, timers.kubeletHeartbeatMs * 4),
      refreshMs: 30_000,
      connectDeadlineMs: 500,
      targets: () =>
        readApiEndpoints(config.apiEndpointsFile)
          .map((url) => new URL(url))
          .filter((url) => url.hostname !== config.address)
          .flatMap((url): ProbeTarget[] => [
            { address: url.hostname, port: ETCD_PEER_PORT, kind: 'etcdPeers' },
            { address: url.hostname, port: Number(url.port), kind: 'api' },
          ]),
      onError: logError,
    }),
  );
}
log(`agent started (${config.role}${kubeadm ? ', kubeadm' : ''})`);

/** Harvester's promote Job, as this node's pod would run it (promote-job-runner.ts); once, after registering. */
let promoteJobsStarted = false;
function startPromoteJobRunner(): void {
  if (promoteJobsStarted) return;
  promoteJobsStarted = true;
  const promoteJobs = new PromoteJobRunner(promoteJobApi(api), {
    nodeName: config.nodeName,
    address: config.address,
    periodMs: timers.kubeletHeartbeatMs,
    jobDelayMs: config.promotion?.jobDelayMs ?? 0,
    fail: promotionFails(config.promotion?.fail, config.nodeName),
    apiServerUrl: `${apiScheme}://${config.address}:${config.apiServer.port}`,
    controlPlaneEtcdUrls: etcdUrlsFromEndpointsFile(config.apiEndpointsFile, config.address),
    etcdFor: (url) => new EtcdClient({ endpoint: { url }, deadlineMs: timers.apiRequestDeadlineMs }),
    hasEtcdMember: () => etcd !== undefined,
    becomeControlPlane,
    log,
    onError: logError,
    changes: changeWatch(api, `/apis/batch/v1/namespaces/${PROMOTE_JOB_NAMESPACE}/jobs`, {
      labelSelector: `${PROMOTE_JOB_NODE_LABEL}=${config.nodeName}`,
    }),
  });
  promoteJobs.start();
  stops.push(() => promoteJobs.stop());
}
