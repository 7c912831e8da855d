import { expect } from 'chai';
import { cutCovers, formatPorts, NAMED_PORTS, parsePort, parsePortList, portMatchSpecs } from './ports.ts';

describe('faults/ports: port-limited cuts', () => {
  it('reads names, numbers (TCP) and number/protocol', () => {
    expect(parsePort('etcd-peer')).to.deep.equal({ port: 2380, protocol: 'tcp' });
    expect(parsePort('api')).to.deep.equal({ port: 6443, protocol: 'tcp' });
    expect(parsePort(10250)).to.deep.equal({ port: 10250, protocol: 'tcp' });
    expect(parsePort('8472/udp')).to.deep.equal({ port: 8472, protocol: 'udp' });
    expect(parsePort('2379/tcp')).to.deep.equal(NAMED_PORTS['etcd-client']);
  });

  it('names what it expected for anything else', () => {
    for (const bad of ['etcd', '0', '65536', '2380/sctp', '-1', 'api,etcd-peer', ''])
      expect(parsePort(bad), bad)
        .to.have.property('problem')
        .that.matches(/^expected a port: .*etcd-peer.*got /);
  });

  it('lists without repeats, and refuses an empty list or any bad item', () => {
    expect(formatPorts(parsePortList(['etcd-peer', 2380, '2379', '2380/udp']))).to.equal('2380/tcp,2379/tcp,2380/udp');
    expect(() => parsePortList([])).to.throw(/at least one port/);
    expect(() => parsePortList(['api', 'x', 70000])).to.throw(/"x".*; .*70000/);
  });

  it('gives one iptables match per port, or one empty match for a cut of everything', () => {
    expect(portMatchSpecs(undefined)).to.deep.equal([[]]);
    expect(portMatchSpecs(parsePortList(['etcd-peer', '8472/udp']))).to.deep.equal([
      ['-p', 'tcp', '--dport', '2380'],
      ['-p', 'udp', '--dport', '8472'],
    ]);
  });

  it('says whether a cut covers a port (an unlimited cut covers all)', () => {
    const api = { port: 6443, protocol: 'tcp' } as const;
    expect(cutCovers(undefined, api)).to.equal(true);
    expect(cutCovers(parsePortList(['etcd-peer']), api)).to.equal(false);
    expect(cutCovers(parsePortList(['etcd-peer', 'api']), api)).to.equal(true);
    expect(cutCovers(parsePortList(['6443/udp']), api)).to.equal(false);
  });
});
