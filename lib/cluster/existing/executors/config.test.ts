import { expect } from 'chai';
import { homedir } from 'node:os';
import { SetupError } from '../../../util/errors.ts';
import { parseExecutors } from './config-file.ts';
import { executorsJsonSchema } from './config-schema.ts';
import { configuredFaults, executorFor, vmOf } from './config-types.ts';

function problems(text: string): string[] {
  try {
    parseExecutors(text, '/lab/executors.yaml');
  } catch (error) {
    expect(error).to.be.instanceOf(SetupError);
    return (error as Error).message.split('\n');
  }
  expect.fail('expected the file to be refused');
}

describe('executors file: commands that do not take an RKE2 node down', () => {
  const file = (kind: string, run: string, extra: string[] = []): string =>
    ['faults:', `  ${kind}:`, '    command:', `      run: ${run}`, ...extra].join('\n');

  it('refuses kill, restart and pause through systemctl or service on rke2-server/rke2-agent, naming what to use', () => {
    for (const [kind, run] of [
      ['kill', 'ssh root@{node.address} systemctl stop rke2-server'],
      ['kill', 'ssh root@{node.address} sudo service rke2-server stop'],
      ['restart', 'ssh {node.address} systemctl restart rke2-server.service'],
      ['pause', 'ssh {node.address} systemctl kill --signal=SIGSTOP rke2-agent'],
    ] as const) {
      const [line] = problems(file(kind, run));
      expect(line, run).to.match(
        new RegExp(
          `^/lab/executors.yaml:4:12: faults\\.${kind}\\.command\\.run: ${kind}: ".*" does not take an RKE2 node down: rke2-(server|agent)(\\.service)? runs with KillMode=process`,
        ),
      );
      expect(line).to.include('rke2-killall.sh').and.include('because:');
    }
  });

  it('accepts rke2-killall.sh, other units, resume, and a refused template when the file says why', () => {
    expect(() =>
      parseExecutors(
        file('kill', 'ssh {node.address} /usr/local/bin/rke2-killall.sh', ['      undo: ssh {node.address} systemctl start rke2-server']),
        '/lab/e.yaml',
      ),
    ).to.not.throw();
    expect(() =>
      parseExecutors(file('restart', 'ssh {node.address} /usr/local/bin/rke2-killall.sh && systemctl start rke2-server'), '/lab/e.yaml'),
    ).to.not.throw();
    expect(() => parseExecutors(file('kill', 'ssh {node.address} systemctl stop k3s-node-agent'), '/lab/e.yaml')).to.not.throw();
    expect(() =>
      parseExecutors(file('resume', 'ssh {node.address} systemctl kill --signal=SIGCONT rke2-server'), '/lab/e.yaml'),
    ).to.not.throw();
    const overridden = parseExecutors(
      file('kill', 'ssh {node.address} systemctl stop rke2-server', ['      because: this lab sets KillMode=control-group on rke2-server']),
      '/lab/e.yaml',
    );
    expect(executorFor(overridden, 'kill', 'any-node')?.type).to.equal('command');
  });
});

describe('executors file', () => {
  it('reads executors per fault kind and per node, settings with units, paths relative to the file', () => {
    const config = parseExecutors(
      [
        'faults:',
        '  kill: ipmi',
        '  pause: kubevirt',
        '  isolate:',
        '    command:',
        '      run: ssh {node.address} sudo /usr/local/sbin/isolate on',
        '      undo: ssh {node.address} sudo /usr/local/sbin/isolate off',
        '      timeout: 20s',
        '  delete-node: api',
        'ipmi:',
        '  userEnv: LAB_IPMI_USER',
        '  command: ../bin/ipmitool',
        'kubevirt:',
        '  kubeconfig: outer.yaml',
        '  namespace: nested',
        'nodes:',
        '  hv-0:',
        '    bmc: 10.0.1.10',
        '    vm: other/vm-0',
        '  hv-1:',
        '    address: 10.0.0.11',
        '    faults:',
        '      kill: kubevirt',
        '  hv-2:',
        '',
      ].join('\n'),
      '/lab/conf/executors.yaml',
    );
    expect(config.file).to.equal('/lab/conf/executors.yaml');
    expect(config.ipmi).to.deep.equal({
      userEnv: 'LAB_IPMI_USER',
      passwordEnv: 'IPMI_PASSWORD',
      interface: 'lanplus',
      command: '/lab/bin/ipmitool',
      timeoutMs: 30_000,
    });
    expect(config.kubevirt).to.deep.equal({
      kubeconfig: '/lab/conf/outer.yaml',
      namespace: 'nested',
      stopGracePeriodMs: 0,
      timeoutMs: 30_000,
    });
    const isolate = executorFor(config, 'isolate', 'hv-0');
    expect(isolate?.type).to.equal('command');
    expect(isolate?.type === 'command' && isolate.timeoutMs).to.equal(20_000);
    expect(executorFor(config, 'kill', 'hv-0')).to.deep.equal({ type: 'ipmi' });
    expect(executorFor(config, 'kill', 'hv-1')).to.deep.equal({ type: 'kubevirt' });
    expect(executorFor(config, 'restart', 'hv-1')).to.equal(undefined);
    expect(vmOf(config, 'hv-0')).to.deep.equal({ namespace: 'other', name: 'vm-0' });
    expect(vmOf(config, 'hv-2')).to.deep.equal({ namespace: 'nested', name: 'hv-2' });
    expect([...configuredFaults(config)].sort()).to.deep.equal(['delete-node', 'heal', 'isolate', 'kill', 'pause']);
    const home = parseExecutors('kubevirt: {kubeconfig: ~/.kube/outer}\n', '/x/e.yaml');
    expect(home.kubevirt?.kubeconfig).to.equal(`${homedir()}/.kube/outer`);
  });

  it('reports every problem with file:line:col, the field path and a hint', () => {
    expect(
      problems(
        [
          'faults:',
          '  kil: ipmi',
          '  pause: ipmi',
          '  kill: ipmi',
          '  partition:',
          '    command:',
          '      run: ssh {node.address} iptables -I INPUT -s {peer.adress} -j DROP',
          '  isolate:',
          '    command: {run: "ssh {node.address} true", timeout: 30}',
          'ipmi:',
          '  userEnv: IPMI_USER',
          '  password: hunter2',
          'nodes:',
          '  hv-0: {bmc: "-oProxyCommand=x"}',
          '',
        ].join('\n'),
      ),
    ).to.deep.equal([
      '/lab/executors.yaml:2:3: faults.kil: unknown fault kind or host step "kil" (did you mean "kill"?); expected one of "kill", "restart", "pause", "resume", "isolate", "partition", "drop", "heal", "memory-pressure", "relieve", "delete-node", "force-delete-node", "maintenance", "uninstall", "poweroff"; remove-host has no entry of its own: it runs maintenance (optional), uninstall and/or poweroff, then delete-node',
      '/lab/executors.yaml:3:10: faults.pause: pause cannot be carried out by ipmi; it can use: command, kubevirt',
      '/lab/executors.yaml:7:12: faults.partition.command.run: unknown placeholder {peer.adress}: expected {peer.name}, {peer.address}, {peer.bmc}',
      '/lab/executors.yaml:9:56: faults.isolate.command.timeout: expected a duration like "30s", found a number (30); durations need a unit: "30s" or "30ms"',
      '/lab/executors.yaml:12:3: ipmi.password: credentials are never read from this file: name environment variables with userEnv and passwordEnv',
      '/lab/executors.yaml:14:15: nodes.hv-0.bmc: "-oProxyCommand=x": a host name or address (no spaces, quotes or leading "-")',
    ]);
  });

  it("remove-host's steps: maintenance (api or command), uninstall (command), poweroff (ipmi, kubevirt, command); no remove-host entry", () => {
    const config = parseExecutors(
      [
        'faults:',
        '  maintenance: api',
        '  uninstall: {command: {run: "ssh root@{node.address} /opt/rke2/bin/rke2-uninstall.sh", timeout: 10m}}',
        '  poweroff: ipmi',
        '  delete-node: api',
        'ipmi: {userEnv: IPMI_USER}',
      ].join('\n'),
      '/lab/executors.yaml',
    );
    expect([...configuredFaults(config)].sort()).to.deep.equal(['delete-node', 'remove-host']);
    expect(executorFor(config, 'poweroff', 'hv-0')).to.deep.equal({ type: 'ipmi' });
    expect(problems('faults:\n  remove-host: api\n  uninstall: ipmi\n  poweroff: api\n')).to.deep.equal([
      '/lab/executors.yaml:2:3: faults.remove-host: unknown fault kind or host step "remove-host"; expected one of "kill", "restart", "pause", "resume", "isolate", "partition", "drop", "heal", "memory-pressure", "relieve", "delete-node", "force-delete-node", "maintenance", "uninstall", "poweroff"; remove-host has no entry of its own: it runs maintenance (optional), uninstall and/or poweroff, then delete-node',
      '/lab/executors.yaml:3:14: faults.uninstall: uninstall cannot be carried out by ipmi; it can use: command',
      '/lab/executors.yaml:4:13: faults.poweroff: poweroff cannot be carried out by api; it can use: ipmi, kubevirt, command',
    ]);
  });

  it('needs the settings of the executors it uses', () => {
    expect(problems('faults:\n  kill: kubevirt\nnodes:\n  hv-0:\n    faults: {restart: ipmi}\n')).to.deep.equal([
      '/lab/executors.yaml:2:9: faults.kill: uses kubevirt, but the file has no kubevirt: section with its settings',
      '/lab/executors.yaml:5:23: nodes.hv-0.faults.restart: uses ipmi, but the file has no ipmi: section with its settings',
    ]);
  });

  it('reads onHarnessMachine (absent: a cluster elsewhere) and refuses a value that is not a boolean', () => {
    expect(parseExecutors('faults: {delete-node: api}\n', '/lab/executors.yaml').onHarnessMachine).to.equal(undefined);
    expect(parseExecutors('onHarnessMachine: true\nfaults: {delete-node: api}\n', '/lab/executors.yaml').onHarnessMachine).to.equal(true);
    const [line] = problems('onHarnessMachine: maybe\nfaults: {delete-node: api}\n');
    expect(line).to.match(/^\/lab\/executors.yaml:1:19: onHarnessMachine: .*true or false/);
  });

  it('reports YAML errors and a root that is not a mapping', () => {
    expect(problems('faults:\n  kill: ipmi\n  kill: kubevirt\n')[0]).to.match(/^\/lab\/executors.yaml:3:3: .*[Mm]ap keys must be unique/);
    expect(problems('- kill\n')).to.deep.equal([
      '/lab/executors.yaml:1:1: (root): an executors file is a mapping (faults:, nodes:, ipmi:, kubevirt:)',
    ]);
  });

  it('renders a JSON Schema for editors', () => {
    const schema = executorsJsonSchema();
    expect(schema['title']).to.equal('cpchaos executors');
    expect(JSON.stringify(schema)).to.contain('"kubevirt"').and.contain('"userEnv"');
  });
});
