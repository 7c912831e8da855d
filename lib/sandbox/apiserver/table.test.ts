import { expect } from 'chai';
import { findResource, type ResourceInfo } from './resources.ts';
import { humanDuration, toTable, wantsTable } from './table.ts';

describe('server-side tables', () => {
  it('recognises kubectl Accept headers', () => {
    expect(
      wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'),
    ).to.equal(true);
    expect(wantsTable('application/json')).to.equal(false);
    expect(wantsTable(undefined)).to.equal(false);
  });

  it('prints durations like kubectl', () => {
    expect(humanDuration(5_000)).to.equal('5s');
    expect(humanDuration(125_000)).to.equal('2m5s');
    expect(humanDuration(3 * 3600_000 + 20 * 60_000)).to.equal('3h20m');
    expect(humanDuration(50 * 3600_000)).to.equal('2d2h');
  });

  it('prints node status and roles', () => {
    const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
    const node = {
      metadata: {
        name: 'n1',
        labels: { 'node-role.kubernetes.io/control-plane': 'true', 'node-role.kubernetes.io/etcd': 'true' },
        creationTimestamp: new Date().toISOString(),
      },
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'False' }], nodeInfo: { kubeletVersion: 'v1.30.0' } },
    };
    const table = toTable(nodes, [node], '5', null) as { rows: { cells: unknown[]; object: { kind: string } }[] };
    expect(table.rows[0]?.cells).to.deep.equal(['n1', 'NotReady,SchedulingDisabled', 'control-plane,etcd', '0s', 'v1.30.0']);
    expect(table.rows[0]?.object.kind).to.equal('PartialObjectMetadata');
  });
});
