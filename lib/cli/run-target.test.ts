import { expect } from 'chai';
import { SetupError } from '../util/errors.ts';
import { UsageError } from './options.ts';
import { targetFromFlags } from './run-target.ts';

const hooks = { onDryRunLine: () => undefined, onKillSwitch: () => undefined };

describe('cpchaos run: the target from --provider and its flags', () => {
  it('refuses existing-cluster flags on other providers, naming them', () => {
    expect(() => targetFromFlags('sandbox', { kubeconfig: 'k.yaml', 'allow-context': ['lab'] }, hooks)).to.throw(
      UsageError,
      '--kubeconfig, --allow-context: only for --provider existing',
    );
  });

  it('refuses a promotion policy for an existing cluster (it promotes by its own rules)', () => {
    expect(() => targetFromFlags('existing', { 'promotion-policy': 'p.ts' }, hooks)).to.throw(
      UsageError,
      /--promotion-policy: an existing cluster promotes by its own rules/,
    );
  });

  it("gives the sandbox target the policy, and the existing target the executors file's faults", () => {
    const sandbox = targetFromFlags('sandbox', { 'promotion-policy': 'fixtures/policies/threshold.ts' }, hooks);
    expect(sandbox.name).to.equal('sandbox');
    expect(sandbox.promotionPolicy).to.match(/\/fixtures\/policies\/threshold\.ts$/);
    const existing = targetFromFlags('existing', { executors: 'fixtures/existing/sandbox.yaml' }, hooks);
    expect(existing.name).to.equal('existing');
    expect([...existing.supportedFaults].sort()).to.deep.equal([
      'delete-node',
      'drop',
      'force-delete-node',
      'heal',
      'isolate',
      'kill',
      'memory-pressure',
      'partition',
      'pause',
      'relieve',
      'remove-host',
      'restart',
      'resume',
    ]);
    expect([...targetFromFlags('existing', {}, hooks).supportedFaults]).to.deep.equal([]);
  });

  it('takes --profile for an existing cluster only, and only a known one', () => {
    expect(targetFromFlags('existing', { profile: 'harvester-1.5' }, hooks).name).to.equal('existing');
    expect(targetFromFlags('existing', { profile: 'auto' }, hooks).name).to.equal('existing');
    expect(() => targetFromFlags('existing', { profile: 'harvester-1.3' }, hooks)).to.throw(
      UsageError,
      '--profile: expected harvester-1.4, harvester-1.5, harvester-1.6, auto, got "harvester-1.3"',
    );
    expect(() => targetFromFlags('sandbox', { profile: 'auto' }, hooks)).to.throw(UsageError, '--profile: only for --provider existing');
  });

  it('gives the kind target the policy, and refuses kind flags on other providers', async () => {
    const kind = targetFromFlags(
      'kind',
      { 'promotion-policy': 'fixtures/policies/threshold.ts', 'kind-image': 'kindest/node:v1.31.9', 'kind-logs': 'reports/kind-logs' },
      hooks,
    );
    expect(kind.name).to.equal('kind');
    expect(kind.promotionPolicy).to.match(/\/fixtures\/policies\/threshold\.ts$/);
    await kind.prepare();
    expect(() => targetFromFlags('sandbox', { 'kind-logs': 'logs' }, hooks)).to.throw(UsageError, '--kind-logs: only for --provider kind');
    expect(() => targetFromFlags('kind', { kubeconfig: 'k.yaml' }, hooks)).to.throw(
      UsageError,
      '--kubeconfig: only for --provider existing',
    );
  });

  it('--kind-config-dir: a folder of kind configs for the kind target only; a missing one is a usage error', async () => {
    const kind = targetFromFlags('kind', { 'kind-config-dir': 'fixtures/kind' }, hooks);
    await kind.prepare();
    expect(() => targetFromFlags('kind', { 'kind-config-dir': 'fixtures/no-such-folder' }, hooks)).to.throw(
      UsageError,
      '--kind-config-dir: no such folder: fixtures/no-such-folder',
    );
    expect(() => targetFromFlags('kind', { 'kind-config-dir': 'fixtures/kind/cp3-w1.yaml' }, hooks)).to.throw(UsageError, /no such folder/);
    expect(() => targetFromFlags('sandbox', { 'kind-config-dir': 'fixtures/kind' }, hooks)).to.throw(
      UsageError,
      '--kind-config-dir: only for --provider kind',
    );
  });

  it('a broken policy for kind is a setup error before any cluster is created', async () => {
    const kind = targetFromFlags('kind', { 'promotion-policy': 'fixtures/policies/no-such-policy.ts' }, hooks);
    let error: unknown;
    await kind.prepare().catch((e: unknown) => {
      error = e;
    });
    expect(error).to.be.instanceOf(SetupError);
    expect((error as Error).message).to.match(/^--promotion-policy: promotion policy not found: /);
  });
});
