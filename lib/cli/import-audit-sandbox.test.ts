// The audit log the sandbox's API servers write (lib/sandbox/apiserver/audit-log.ts), imported: a scenario runs on a
// sandbox that keeps each API server's audit log, then `import-audit` judges those files. The promotion oracles
// must say of the log what they said of the run's own recorded history, pass or fail: delete-cp-promotes-worker
// under Harvester's reference policy (every one passes), and steady-state under a policy that promotes past three
// management nodes (management-count fails in both).
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../run/runner.ts';
import { sandboxTarget } from '../run/targets/cluster-targets.ts';
import type { ScenarioResult } from '../report/result.ts';
import { parseScenario } from '../scenario/loader.ts';
import { importAuditLogs } from './import-audit-command.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROMOTION_ORACLES = ['promotion-only-after-deletion', 'promotion-after-deletion', 'management-count', 'promote-status-lifecycle'];
const isRoot = process.getuid?.() === 0;

async function runKeepingAuditLogs(scenario: string, policy?: string): Promise<{ run: ScenarioResult; files: string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cpchaos-audit-'));
  const file = `${ROOT}suites/${scenario}.yaml`;
  const run = await runScenario(parseScenario(readFileSync(file, 'utf8'), file), {
    seed: '1',
    target: sandboxTarget({ auditLogDir: dir, ...(policy ? { promotionPolicy: `${ROOT}${policy}` } : {}) }),
  });
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('-audit.log'))
    .map((f) => join(dir, f));
  return { run, files, dir };
}

const statuses = (result: ScenarioResult) =>
  PROMOTION_ORACLES.map((name) => [name, result.verdicts.find((v) => v.invariant === name)?.status ?? 'missing']);
const lines = (result: ScenarioResult) => result.verdicts.map((v) => `${v.invariant}: ${v.status}: ${v.summary}`).join('\n');

describe("import-audit of the sandbox API servers' own audit logs", function () {
  this.timeout(180_000);

  it('delete-cp-promotes-worker: the log is judged as the run was (every promotion oracle passes), in the real Event shape', async function () {
    if (!isRoot) this.skip();
    const { run, files, dir } = await runKeepingAuditLogs('promotion/delete-cp-promotes-worker');
    try {
      expect(files.length, 'one log per API server').to.be.greaterThanOrEqual(3);
      const events = files.flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
      const nodeDeletes = events.filter((e) => e['verb'] === 'delete' && (e['objectRef'] as { resource?: string }).resource === 'nodes');
      const deleted = run.history.flatMap((e) => (e.kind === 'action' && e.fault === 'delete-node' && e.phase === 'intent' ? e.nodes : []));
      expect(deleted).to.have.length(1);
      expect(nodeDeletes.map((e) => (e['objectRef'] as { name?: string }).name)).to.include(deleted[0]);
      expect(new Set(events.map((e) => `${String(e['apiVersion'])} ${String(e['stage'])}`))).to.deep.equal(
        new Set(['audit.k8s.io/v1 ResponseComplete']),
      );
      const configMapWrite = events.find((e) => (e['objectRef'] as { resource?: string }).resource === 'configmaps');
      expect(configMapWrite?.['level']).to.equal('Metadata');
      expect(configMapWrite).to.not.have.property('responseObject');
      expect(events.some((e) => e['verb'] === 'get' || e['verb'] === 'list' || e['verb'] === 'watch')).to.equal(false);

      const imported = importAuditLogs(files);
      expect(imported.problems).to.deep.equal([]);
      expect(statuses(run), lines(run)).to.deep.equal(PROMOTION_ORACLES.map((n) => [n, 'pass']));
      expect(statuses(imported.result), lines(imported.result)).to.deep.equal(statuses(run));
      const deletions = imported.result.history.filter((e) => e.kind === 'action' && e.phase === 'intent');
      expect(deletions.map((e) => (e.kind === 'action' ? `${e.fault} ${e.nodes.join()}` : ''))).to.include(`delete-node ${deleted[0]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('steady-state under a policy that promotes past three: the log fails management-count as the run does', async function () {
    if (!isRoot) this.skip();
    const { run, files, dir } = await runKeepingAuditLogs('promotion/steady-state', 'fixtures/policies/faulty-promotes-past-three.ts');
    try {
      const imported = importAuditLogs(files);
      const count = (r: ScenarioResult) => r.verdicts.find((v) => v.invariant === 'management-count')?.status;
      expect(count(run), lines(run)).to.equal('fail');
      expect(count(imported.result), lines(imported.result)).to.equal('fail');
      expect(imported.result.status).to.equal('fail');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
