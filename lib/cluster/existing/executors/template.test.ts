import { expect } from 'chai';
import { formatArgv, parseTemplate, renderTemplate, splitWords, TemplateError } from './template.ts';

const node = { name: 'hv-1', address: '10.0.0.11', bmc: '10.0.1.11' };

describe('command templates', () => {
  it('splits into words before anything is substituted, with shell-like quoting and no expansion', () => {
    expect(splitWords(`ssh  -o 'Batch Mode=yes' "a \\"b\\"" c\\ d $(rm -rf /) ;`)).to.deep.equal([
      'ssh',
      '-o',
      'Batch Mode=yes',
      'a "b"',
      'c d',
      '$(rm',
      '-rf',
      '/)',
      ';',
    ]);
    expect(() => splitWords(`echo 'open`)).to.throw(TemplateError, /unterminated ' quote/);
    expect(() => splitWords('echo "open')).to.throw(TemplateError, /unterminated " quote/);
  });

  it('fills placeholders inside words, so a value never adds or splits a word', () => {
    const template = parseTemplate('ssh root@{node.address} sudo systemctl stop rke2-server --host={node.name}', { peer: false });
    expect(renderTemplate(template, { node })).to.deep.equal([
      'ssh',
      'root@10.0.0.11',
      'sudo',
      'systemctl',
      'stop',
      'rke2-server',
      '--host=hv-1',
    ]);
  });

  it('refuses values that could act as options or shell syntax on the far side of ssh', () => {
    const template = parseTemplate('ssh {node.address} true', { peer: false });
    for (const address of ['-oProxyCommand=touch /tmp/x', '10.0.0.1; reboot', "a'b", 'a b', '$(id)']) {
      expect(() => renderTemplate(template, { node: { name: 'bad', address } }), address).to.throw(TemplateError, /refusing to substitute/);
    }
    expect(renderTemplate(template, { node: { name: 'v6', address: 'fe80::1%eth0' } })).to.deep.equal(['ssh', 'fe80::1%eth0', 'true']);
  });

  it('names a missing fact, and checks placeholders when the file is read', () => {
    const template = parseTemplate('ipmi-wrapper {node.bmc}', { peer: false });
    expect(() => renderTemplate(template, { node: { name: 'hv-2' } })).to.throw(/node hv-2 has no bmc/);
    expect(() => parseTemplate('ssh {node.ip} true', { peer: false })).to.throw(/unknown placeholder \{node.ip\}/);
    expect(() => parseTemplate('ssh {peer.address} true', { peer: false })).to.throw(/only available in partition and drop/);
    expect(() => parseTemplate('{node.name} --help', { peer: false })).to.throw(/first word\) must be literal/);
    expect(() => parseTemplate('   ', { peer: false })).to.throw(/empty command/);
    // Braces that are not placeholders stay as they are.
    expect(renderTemplate(parseTemplate(`awk '{print $1}' {node.name}`, { peer: false }), { node })).to.deep.equal([
      'awk',
      '{print $1}',
      'hv-1',
    ]);
  });

  it('fills {peer.*} for the node at the other end', () => {
    const template = parseTemplate('ssh {node.address} iptables -I INPUT -s {peer.address} -j DROP', { peer: true });
    expect(renderTemplate(template, { node, peer: { name: 'hv-2', address: '10.0.0.12' } })).to.deep.equal([
      'ssh',
      '10.0.0.11',
      'iptables',
      '-I',
      'INPUT',
      '-s',
      '10.0.0.12',
      '-j',
      'DROP',
    ]);
  });

  it('formats argv for display with quotes where needed', () => {
    expect(formatArgv(['ssh', 'root@h', 'echo', 'a b', "it's"])).to.equal(`ssh root@h echo 'a b' 'it'\\''s'`);
  });
});
