// Harvester's own selection cases as data: every case of Test_selectPromoteNode in harvester/harvester
// pkg/controller/master/node/promote_controller_test.go, read at commit 3d63c2af15db747e4a803b18b7832049b88cb00e
// (2026-08-21; the test file last changed in 6d07218c, 2026-07-29). Same node fixtures (names, labels, annotations,
// conditions: only the NotReady ones carry any, all others have NO conditions at all), same lists in the same order,
// same expected result. Used by lib/harvester/harvester-cases.test.ts (the reference must agree with every case) and
// fixtures/policies/policies.test.ts (which cases each faulty policy gets wrong).
//
// Creation times: upstream stamps each fixture with time.Now() as the package's variables are initialised, in
// declaration order, so each node is (by nanoseconds) younger than the one declared before it. Here each fixture is
// one second younger than the previous one, in the same order.
import type { V1Node } from '@kubernetes/client-node';
import {
  ETCD_ROLE_LABEL,
  HARVESTER_MANAGED_LABEL,
  MANAGEMENT_PREFERRED_LABEL,
  MASTER_ROLE_LABEL,
  PROMOTE_STATUS_ANNOTATION,
  WITNESS_LABEL,
  WORKER_ONLY_LABEL,
  ZONE_LABEL,
} from '../contract.ts';

export const UPSTREAM_EPOCH_MS = Date.parse('2026-08-21T06:37:30Z');

/** Mirrors upstream's NodeBuilder; Management(), Witness() and Worker() stamp the creation time and finish. */
class UpstreamNodeBuilder {
  private static declared = 0;
  private readonly labels: Record<string, string> = {};
  private readonly annotations: Record<string, string> = {};
  private readonly conditions: { type: string; status: string }[] = [];
  private unschedulable = false;

  constructor(private readonly name: string) {}

  zone(zone: string): this {
    this.labels[ZONE_LABEL] = zone;
    return this;
  }
  roleMgmt(): this {
    this.labels[MANAGEMENT_PREFERRED_LABEL] = 'true';
    return this;
  }
  roleWitness(): this {
    this.labels[WITNESS_LABEL] = 'true';
    return this;
  }
  roleWorker(): this {
    this.labels[WORKER_ONLY_LABEL] = 'true';
    return this;
  }
  harvester(): this {
    this.labels[HARVESTER_MANAGED_LABEL] = 'true';
    return this;
  }
  running(): this {
    return this.status('running');
  }
  complete(): this {
    return this.status('complete');
  }
  failed(): this {
    return this.status('failed');
  }
  unknown(): this {
    return this.status('unknown');
  }
  notReady(): this {
    this.conditions.push({ type: 'Ready', status: 'False' });
    return this;
  }
  cordoned(): this {
    this.unschedulable = true;
    return this;
  }
  /** util.KubeEtcdNodeLabelKey = "true". */
  witness(): V1Node {
    this.labels[ETCD_ROLE_LABEL] = 'true';
    return this.build();
  }
  /** util.KubeMasterNodeLabelKey = "true". */
  management(): V1Node {
    this.labels[MASTER_ROLE_LABEL] = 'true';
    return this.build();
  }
  worker(): V1Node {
    return this.build();
  }

  private status(value: string): this {
    this.annotations[PROMOTE_STATUS_ANNOTATION] = value;
    return this;
  }

  private build(): V1Node {
    const createdAt = new Date(UPSTREAM_EPOCH_MS + UpstreamNodeBuilder.declared * 1000);
    UpstreamNodeBuilder.declared += 1;
    return {
      metadata: { name: this.name, labels: { ...this.labels }, annotations: { ...this.annotations }, creationTimestamp: createdAt },
      spec: { unschedulable: this.unschedulable },
      status: { conditions: [...this.conditions] },
    };
  }
}

const b = (name: string): UpstreamNodeBuilder => new UpstreamNodeBuilder(name);

// The fixtures, in upstream's declaration order (which is their age order).
const mu1 = b('m-unmanaged-1').management();
const m1 = b('m-1').harvester().management();
const m2 = b('m-2').harvester().management();
const m3 = b('m-3').harvester().management();
const witnc1 = b('witness-c-1').harvester().complete().roleWitness().witness();
const witnr1 = b('witness-r-1').harvester().running().witness();
const witnf1 = b('witness-f-1').harvester().failed().witness();
const witnu1 = b('witness-u-1').harvester().unknown().witness();
const mc1 = b('m-complete-1').harvester().complete().management();
const wr1 = b('w-running-1').harvester().running().worker();
const wf1 = b('w-failed-1').harvester().failed().worker();
const wnr1 = b('w-notready-1').harvester().notReady().worker();
const wnr2 = b('w-notready-2').harvester().notReady().worker();
const wu1 = b('w-unknown-1').harvester().unknown().worker();
const wc1 = b('w-complete-1').harvester().complete().worker();
const w1 = b('w-1').harvester().worker();
const w2 = b('w-2').harvester().worker();
const w3 = b('w-3').harvester().worker();
const wo1 = b('w-cordoned-1').harvester().cordoned().worker();
const wo2 = b('w-cordoned-2').harvester().cordoned().worker();
const w1rm = b('w-1-r-mgmt').harvester().roleMgmt().worker();
const w1rwk = b('w-1-r-worker').harvester().roleWorker().worker();
const w1rw = b('w-1-r-witness').harvester().roleWitness().worker();
const w2rw = b('w-2-r-witness').harvester().roleWitness().worker();
// zone aware nodes
const mu1z2 = b('m-unmanaged-1-z2').zone('zone2').management();
const m1z1 = b('m-1-z1').zone('zone1').harvester().management();
const m2z2 = b('m-2-z2').zone('zone2').harvester().management();
const m3z3 = b('m-3-z3').zone('zone3').harvester().management();
const m4z1 = b('m-4-z1').zone('zone1').harvester().management();
const mc1z2 = b('m-complete-1-z2').zone('zone2').harvester().complete().management();
const wr1z2 = b('w-running-1-z2').zone('zone2').harvester().running().worker();
const wf1z2 = b('w-failed-1-z2').zone('zone2').harvester().failed().worker();
const wnr1z2 = b('w-notready-1-z2').zone('zone2').harvester().notReady().worker();
const wnr2z3 = b('w-notready-2-z3').zone('zone3').harvester().notReady().worker();
const wu1z2 = b('w-unknown-1-z2').harvester().unknown().worker(); // upstream gives it no zone, despite its name
const wc1z2 = b('w-complete-1-z2').harvester().complete().worker(); // likewise
const w1z1 = b('w-1-z1').zone('zone1').harvester().worker();
const w2z2 = b('w-2-z2').zone('zone2').harvester().worker();
const w3z3 = b('w-3-z3').zone('zone3').harvester().worker();
const w4z3 = b('w-4-z3').zone('zone3').harvester().worker();
const w5z2rm = b('w-5-z2-mgmt').zone('zone2').harvester().roleMgmt().worker();
const w6z2rwk = b('w-6-z2-worker').zone('zone2').harvester().roleWorker().worker();
const w7z1 = b('w-7-z1').zone('zone1').harvester().worker();

export interface UpstreamCase {
  readonly name: string;
  readonly nodeList: readonly V1Node[];
  readonly want: V1Node | undefined;
}

const c = (name: string, nodeList: readonly V1Node[], want: V1Node | undefined): UpstreamCase => ({ name, nodeList, want });

/** Test_selectPromoteNode's table, in upstream order. */
export const UPSTREAM_CASES: readonly UpstreamCase[] = [
  c('one management', [m1], undefined),
  c('one management and one worker', [m1, w1], undefined),
  c('one management and two worker', [m1, w1, w2], w1),
  c('one management and two cordoned workers', [m1, wo1, wo2], undefined),
  c('one management and two cordoned workers and two ready workers', [m1, wo1, wo2, w1, w2], w1),
  c('one management and three worker', [m1, w1, w2, w3], w1),
  c('one management and one not ready worker', [m1, wnr1], undefined),
  c('one management and one not ready worker and one ready worker', [m1, wnr1, w1], undefined),
  c('one management and one not ready worker and two ready worker', [m1, wnr1, w1, w2], w1),
  c('one management and two not ready worker and one ready worker', [m1, wnr1, wnr2, w1], undefined),
  c('one management and two not ready worker and two ready worker', [m1, wnr1, wnr2, w1, w2], w1),
  c('two management', [m1, m2], undefined),
  c('two management and one worker', [m1, m2, w1], w1),
  c('two management and two worker', [m1, m2, w1, w2], w1),
  c('two management and three worker', [m1, m2, w1, w2, w3], w1),
  c('one management and one promoting worker', [m1, wr1], undefined),
  c('one management and one promoting worker and one worker', [m1, wr1, w1], undefined),
  c('one management and one promoting worker and two worker', [m1, wr1, w1, w2], undefined),
  c('one management and one promoting worker and three worker', [m1, wr1, w1, w2, w3], undefined),
  c('one management and one promote failed worker', [m1, wf1], undefined),
  c('one management and one promote failed worker and one worker', [m1, wf1, w1], undefined),
  c('one management and one promote failed worker and two worker', [m1, wf1, w1, w2], undefined),
  c('one management and one promote failed worker and three worker', [m1, wf1, w1, w2, w3], undefined),
  c('one management and one promoted management', [m1, mc1], undefined),
  c('one management and one promoted management and one worker', [m1, mc1, w1], w1),
  c('one management and one promoted management and two worker', [m1, mc1, w1, w2], w1),
  c('one management and one promoted management and three worker', [m1, mc1, w1, w2, w3], w1),
  c('one managed management and one unmanaged management', [m1, mu1], undefined),
  c('one managed management and one unmanaged management and one worker', [m1, mu1, w1], w1),
  c('one managed management and one unmanaged management and two worker', [m1, mu1, w1, w2], w1),
  c('one managed management and one unmanaged management and three worker', [m1, mu1, w1, w2, w3], w1),
  c('three management', [m1, m2, m3], undefined),
  c('three management and one worker', [m1, m2, m3, w1], undefined),
  c('one management and one promote unknown worker and one worker', [m1, wu1, w1], undefined),
  c('one management and one promoted worker and one worker', [m1, wc1, w1], undefined),
  c('one management in zone1', [m1z1], undefined),
  c('one management in zone1 and one worker in zone1', [m1z1, w1z1], undefined),
  c('one management in zone1 and two worker in zone1', [m1z1, w1z1, w7z1], undefined),
  c('one management in zone1 and one worker in zone2', [m1z1, w2z2, w3], undefined),
  c('one management in zone1 and two worker', [m1z1, w1, w2], undefined),
  c('one management and one worker in zone1 and one worker in zone3', [m1z1, w1z1, w3z3], undefined),
  c('one management in zone1 and two workers in zone2 and zone3', [m1z1, w2z2, w3z3], w2z2),
  c('one management in zone1 and one not ready worker in zone2', [m1z1, wnr1z2], undefined),
  c('one management in zone1 and one not ready worker in zone2 and one ready worker in zone3', [m1z1, wnr1z2, w3z3], undefined),
  c('one management in zone1 and one not ready worker in zone2 and two ready worker in zone3', [m1z1, wnr1z2, w3z3, w4z3], undefined),
  c('one management in zone1 and one not ready worker in zone2 and two ready workers in zone2 and zone3', [m1z1, wnr1z2, w2z2, w3z3], w2z2),
  c(
    'one management in zone1 and two not ready workers in zone2 and zone3 and one ready worker in zone2',
    [m1z1, wnr1z2, wnr2z3, w2z2],
    undefined,
  ),
  c(
    'one management in zone1 and two not ready workers in zone2 and zone3 and two ready workers in zone2 and zone3',
    [m1z1, wnr1z2, wnr2z3, w2z2, w3z3],
    w2z2,
  ),
  c('two management in zone1 and zone2 and one worker in zone3', [m1z1, m2z2, w3z3], w3z3),
  c('two management in zone1 and zone2 and two worker in zone3', [m1z1, m2z2, w4z3, w3z3], w3z3),
  c('two management in zone1 and zone2 and one worker in zone1', [m1z1, m2z2, w1z1], undefined),
  c('two management in zone1 and zone2 and two workers in zone1 and zone3', [m1z1, m2z2, w1z1, w3z3], w3z3),
  c('two management in zone1 and zone2 and three workers in zone1, zone2 and zone3', [m1z1, m2z2, w1z1, w2z2, w3z3], w3z3),
  c('one management in zone1 and one promoting worker in zone2', [m1z1, wr1z2], undefined),
  c('one management in zone1 and one promoting worker in zone2 and one worker in zone3', [m1z1, wr1z2, w3z3], undefined),
  c('one management in zone1 and one promoting worker in zone2 and two workers in zone2 and zone3', [m1z1, wr1z2, w2z2, w3z3], undefined),
  c('one management in zone1 and one promote failed worker in zone2', [m1z1, wf1z2], undefined),
  c('one management in zone1 and one promote failed worker in zone2 and one worker in zone3', [m1z1, wf1z2, w3z3], undefined),
  c(
    'one management in zone1 and one promote failed worker in zone2 and two workers in zone2 and zone3',
    [m1z1, wf1z2, w2z2, w3z3],
    undefined,
  ),
  c('one management in zone1 and one promoted management in zone2', [m1z1, mc1z2], undefined),
  c('one management in zone1 and one promoted management in zone2 and one worker in zone3', [m1z1, mc1z2, w3z3], w3z3),
  c('one management in zone1 and one promoted management in zone2 and two workers in zone2 and zone3', [m1z1, mc1z2, w2z2, w3z3], w3z3),
  c('one management in zone1 and one unmanaged management in zone2', [m1z1, mu1z2], undefined),
  c('one management in zone1 and one unmanaged management in zone2 and one worker in zone3', [m1z1, mu1z2, w3z3], w3z3),
  c('one management in zone1 and one unmanaged management in zone2 and two workers in zone2 and zone3', [m1z1, mu1z2, w2z2, w3z3], w3z3),
  c('three management in zone1, zone2 and zone3', [m1z1, m2z2, m3z3], undefined),
  c('three management in zone1, zone2 and zone3 and one worker in zone1', [m1z1, m2z2, m3z3, w1z1], undefined),
  c('three management in zone1, zone2 and zone1 (could be before labeling) and one worker in zone1', [m1z1, m2z2, m4z1, w1z1], undefined),
  c('three management in zone1, zone2 and zone1 (could be before labeling) and one worker in zone3', [m1z1, m2z2, m4z1, w3z3], undefined),
  c('one management in zone1 and one promote unknown in zone2 worker and one worker in zone3', [m1z1, wu1z2, w3z3], undefined),
  c('one management in zone1 and one promoted worker in zone2 and one worker in zone3', [m1z1, wc1z2, w3z3], undefined),
  c('two management one witness', [m1, m2, witnc1], undefined),
  c('one management two witness', [m1, w1rw, w2rw], undefined),
  c('one management one witness one worker', [m1, w1rw, w2rw, w3], w1rw),
  c('one management one witness promoted one witness one worker', [m1, witnc1, w2rw, w3], w3),
  c('one management one witness one promoted witness one worker order testing', [m1, w2rw, witnc1, w3], w3),
  c('one management one running witness one witness one worker', [m1, witnr1, w2rw, w3], undefined),
  c('one management one failed witness one witness one worker', [m1, witnf1, w2rw, w3], undefined),
  c('one management one unknown witness one witness one worker', [m1, witnu1, w2rw, w3], undefined),
  c('two management one worker one worker with role management', [m1, m2, w1, w1rm], w1rm),
  c('two management one worker one worker and one worker with role witness', [m1, m2, w1, w1rw], w1rw),
  c('two management one worker with role worker', [m1, m2, w1rwk], undefined),
  c(
    'one management, one management in zone1, one worker in zone2, one worker with role management in zone2, one worker with in zone3',
    [m1, m1z1, w2z2, w5z2rm, w3z3],
    w5z2rm,
  ),
  c('one management in zone1, one worker with role worker in zone2, one worker in zone3', [m1z1, w6z2rwk, w3z3], undefined),
  c(
    'one management in zone1, one worker with role worker in zone2, one worker in zone2, one worker in zone3',
    [m1z1, w6z2rwk, w2z2, w3z3],
    w2z2,
  ),
];
