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
    expect(table.rows[0]?.cells).to.deep.equal([
      'n1',
      'NotReady,SchedulingDisabled',
      'control-plane,etcd',
      '0s',
      'v1.30.0',
      '<none>',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
    expect(table.rows[0]?.object.kind).to.equal('PartialObjectMetadata');
  });

  it('gives nodes the -o wide columns of kube-apiserver (priority 1)', () => {
    const nodes = findResource('', 'v1', 'nodes') as ResourceInfo;
    const node = {
      metadata: { name: 'n1', creationTimestamp: new Date().toISOString() },
      status: {
        addresses: [
          { type: 'Hostname', address: 'n1' },
          { type: 'InternalIP', address: '10.0.0.5' },
          { type: 'ExternalIP', address: '192.0.2.5' },
        ],
        nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Debian', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7' },
      },
    };
    const table = toTable(nodes, [node], '5', null) as {
      columnDefinitions: { name: string; priority: number }[];
      rows: { cells: unknown[] }[];
    };
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).to.deep.equal([
      'Name:0',
      'Status:0',
      'Roles:0',
      'Age:0',
      'Version:0',
      'Internal-IP:1',
      'External-IP:1',
      'OS-Image:1',
      'Kernel-Version:1',
      'Container-Runtime:1',
    ]);
    expect(table.rows[0]?.cells.slice(5)).to.deep.equal(['10.0.0.5', '192.0.2.5', 'Debian', '6.1.0', 'containerd://1.7']);
  });
});
