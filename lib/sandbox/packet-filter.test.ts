// The sandbox's packet rules as data (the network tests in lib/cluster/sandbox apply them in real namespaces).
import { expect } from 'chai';
import { parsePortList } from '../faults/ports.ts';
import { isolateRules, oneWayRules, partitionRules, type FilterNode } from './packet-filter.ts';

const A: FilterNode = { name: 'a', namespace: 'ns-a', address: '10.0.0.1' };
const B: FilterNode = { name: 'b', namespace: 'ns-b', address: '10.0.0.2' };
const line = (r: { namespace: string; chain: string; spec: readonly string[] }): string => `${r.namespace} ${r.chain} ${r.spec.join(' ')}`;

describe('sandbox packet rules', () => {
  it('cut everything without ports', () => {
    expect(isolateRules(A).map(line)).to.deep.equal(['ns-a CPCHAOS-IN -i eth0 -j DROP', 'ns-a CPCHAOS-OUT -o eth0 -j DROP']);
    expect(partitionRules([[A], [B]]).map(line)).to.deep.equal([
      'ns-a CPCHAOS-IN -s 10.0.0.2/32 -j DROP',
      'ns-b CPCHAOS-IN -s 10.0.0.1/32 -j DROP',
    ]);
  });

  it('cut only traffic to the listed ports, one rule per port, on the receiving side', () => {
    const ports = parsePortList(['etcd-peer', 'api']);
    expect(oneWayRules([A], [B], ports).map(line)).to.deep.equal([
      'ns-b CPCHAOS-IN -s 10.0.0.1/32 -p tcp --dport 2380 -j DROP',
      'ns-b CPCHAOS-IN -s 10.0.0.1/32 -p tcp --dport 6443 -j DROP',
    ]);
    expect(isolateRules(A, ports.slice(0, 1)).map(line)).to.deep.equal([
      'ns-a CPCHAOS-IN -i eth0 -p tcp --dport 2380 -j DROP',
      'ns-a CPCHAOS-OUT -o eth0 -p tcp --dport 2380 -j DROP',
    ]);
  });
});
