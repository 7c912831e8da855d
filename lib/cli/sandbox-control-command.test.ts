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
});
