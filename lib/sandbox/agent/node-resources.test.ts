import { expect } from 'chai';
import os from 'node:os';
import { parseQuantity } from '../../harvester/policy-context.ts';
import { binarySI, nodeResources, readMachineInfo, type MachineInfo } from './node-resources.ts';

const GI = 1024 ** 3;

describe('sandbox node capacity and allocatable (kubelet MachineInfo setter)', () => {
  it('writes byte counts as BinarySI quantities do', () => {
    expect(binarySI(100 * 1024 * 1024)).to.equal('100Mi');
    expect(binarySI(24 * GI)).to.equal('24Gi');
    expect(binarySI(25_165_824_000)).to.equal('24000Mi');
    expect(binarySI(24 * GI - 1024)).to.equal('25165823Ki');
    expect(binarySI(1000)).to.equal('1000');
    expect(binarySI(1_000_000_001)).to.equal('1000000001');
  });

  it('capacity from the machine; allocatable minus the default hard eviction thresholds and huge pages', () => {
    const machine: MachineInfo = {
      numCores: 2,
      memoryBytes: 24 * GI,
      rootFsBytes: 100 * GI,
      hugePages: new Map([
        [2 * 1024 * 1024, 512],
        [GI, 0],
      ]),
    };
    const { capacity, allocatable } = nodeResources(machine);
    expect(capacity).to.deep.equal({
      cpu: '2',
      memory: '24Gi',
      pods: '110',
      'ephemeral-storage': '100Gi',
      'hugepages-2Mi': '1Gi',
      'hugepages-1Gi': '0',
    });
    expect(allocatable).to.deep.equal({
      cpu: '2',
      // 24Gi - 100Mi (memory.available<100Mi) - 1Gi of huge pages
      memory: '23452Mi',
      pods: '110',
      // 90% of 100Gi (nodefs.available<10%)
      'ephemeral-storage': '90Gi',
      'hugepages-2Mi': '1Gi',
      'hugepages-1Gi': '0',
    });
  });

  it("reads this machine's CPUs, memory and the data folder's filesystem", () => {
    const machine = readMachineInfo('.');
    expect(machine.numCores).to.equal(os.cpus().length);
    expect(machine.memoryBytes).to.equal(os.totalmem());
    expect(machine.rootFsBytes).to.be.greaterThan(0);
    const { allocatable } = nodeResources(machine);
    const hugePages = [...machine.hugePages].reduce((sum, [size, count]) => sum + size * count, 0);
    expect(parseQuantity(allocatable['memory'] as string)).to.equal(os.totalmem() - 100 * 1024 * 1024 - hugePages);
    expect(parseQuantity(allocatable['cpu'] as string)).to.equal(os.cpus().length);
  });
});
