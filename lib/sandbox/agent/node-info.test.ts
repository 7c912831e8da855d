import { expect } from 'chai';
import os from 'node:os';
import { SERVER_GIT_VERSION } from '../apiserver/discovery.ts';
import { goArch, machineIdOf, nodeAddresses, nodeSystemInfo, osImageOf, systemUuidOf } from './node-info.ts';

describe('sandbox node addresses and nodeInfo', () => {
  it('addresses: the node IP as InternalIP, the name as Hostname', () => {
    expect(nodeAddresses('n1', '10.0.0.7')).to.deep.equal([
      { type: 'InternalIP', address: '10.0.0.7' },
      { type: 'Hostname', address: 'n1' },
    ]);
  });

  it('nodeInfo: every field a kubelet fills, the version the API server claims', () => {
    const info = nodeSystemInfo('n1', 'boot-1');
    expect(info).to.include({
      kubeletVersion: SERVER_GIT_VERSION,
      kubeProxyVersion: SERVER_GIT_VERSION,
      operatingSystem: 'linux',
      architecture: goArch(),
      kernelVersion: os.release(),
      bootID: 'boot-1',
    });
    expect(info.containerRuntimeVersion).to.match(/^[a-z]+:\/\/\S+$/);
    expect(info.osImage).to.be.a('string').and.not.equal('');
    expect(info.machineID).to.match(/^[0-9a-f]{32}$/);
    expect(info.systemUUID).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('machine ID and system UUID are stable per node and differ between nodes; the boot ID is new each start', () => {
    expect(machineIdOf('n1')).to.equal(machineIdOf('n1')).and.not.equal(machineIdOf('n2'));
    expect(systemUuidOf('n1')).to.equal(systemUuidOf('n1')).and.not.equal(systemUuidOf('n2'));
    expect(nodeSystemInfo('n1').bootID).to.not.equal(nodeSystemInfo('n1').bootID);
  });

  it('reads PRETTY_NAME from os-release, GOARCH names from process.arch', () => {
    expect(osImageOf('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')).to.equal('Debian GNU/Linux 12 (bookworm)');
    expect(osImageOf('PRETTY_NAME=Alpine\n')).to.equal('Alpine');
    expect(osImageOf(undefined)).to.equal('Linux');
    expect(goArch('x64')).to.equal('amd64');
    expect(goArch('arm64')).to.equal('arm64');
  });
});
