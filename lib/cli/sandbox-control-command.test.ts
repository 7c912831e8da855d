import { expect } from 'chai';
import { faultRequestFromArgs } from './sandbox-control-command.ts';

describe('cpchaos sandbox fault|undo: requests from command-line words', () => {
  it('builds kill, drop, partition and heal requests; refuses what does not fit', () => {
    expect(faultRequestFromArgs('kill', ['cp-0,cp-1'], undefined)).to.deep.equal({ kind: 'kill', nodes: ['cp-0', 'cp-1'] });
    expect(faultRequestFromArgs('drop', ['cp-0'], ['cp-1'])).to.deep.equal({ kind: 'drop', from: ['cp-0'], to: ['cp-1'] });
    expect(faultRequestFromArgs('partition', ['cp-0', 'cp-1,cp-2'], undefined)).to.deep.equal({
      kind: 'partition',
      groups: [['cp-0'], ['cp-1', 'cp-2']],
    });
    expect(faultRequestFromArgs('heal', [], undefined)).to.deep.equal({ kind: 'heal' });
    expect(() => faultRequestFromArgs('drop', ['cp-0'], undefined)).to.throw(/--to NODE/);
    expect(() => faultRequestFromArgs('kill', ['cp-0'], ['cp-1'])).to.throw(/--to is only for drop/);
    expect(() => faultRequestFromArgs('zap', ['cp-0'], undefined)).to.throw(/expected a fault kind/);
  });

  it('limits isolate, partition and drop to --ports (all: not limited); refuses ports elsewhere and bad ports', () => {
    expect(faultRequestFromArgs('isolate', ['worker-0'], undefined, 'etcd-peer,2379')).to.deep.equal({
      kind: 'isolate',
      nodes: ['worker-0'],
      ports: [
        { port: 2380, protocol: 'tcp' },
        { port: 2379, protocol: 'tcp' },
      ],
    });
    expect(faultRequestFromArgs('drop', ['cp-0'], ['cp-1'], 'all')).to.deep.equal({ kind: 'drop', from: ['cp-0'], to: ['cp-1'] });
    expect(faultRequestFromArgs('partition', ['cp-0', 'cp-1'], undefined, '8472/udp')).to.deep.include({
      ports: [{ port: 8472, protocol: 'udp' }],
    });
    expect(() => faultRequestFromArgs('kill', ['cp-0'], undefined, 'api')).to.throw(/--ports is only for isolate, partition, drop/);
    expect(() => faultRequestFromArgs('isolate', ['cp-0'], undefined, 'etcd')).to.throw(/--ports: expected a port/);
  });
});
