import { expect } from 'chai';
import { fileURLToPath } from 'node:url';
import { FileProblemsError } from '../schema/problems.ts';
import { importAuditLogs } from './import-audit-command.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/audit/${name}`, import.meta.url));
const statusOf = (name: string, ...files: string[]) => {
  const { result } = importAuditLogs(files.map(fixture));
  return result.verdicts.find((v) => v.invariant === name)?.status;
};

describe('cpchaos import-audit', () => {
  it('passes promotion-only-after-deletion when an operator deleted a control-plane Node before the worker was promoted', () => {
    expect(statusOf('promotion-only-after-deletion', 'delete-cp-then-promote.jsonl')).to.equal('pass');
    expect(statusOf('promotion-after-deletion', 'delete-cp-then-promote.jsonl')).to.equal('pass');
  });

  it('fails promotion-only-after-deletion when a worker was promoted with no deletion in the log', () => {
    const { result } = importAuditLogs([fixture('promotion-without-deletion.jsonl')]);
    expect(result.verdicts.find((v) => v.invariant === 'promotion-only-after-deletion')?.status).to.equal('fail');
    expect(result.status).to.equal('fail');
  });

  it("judges the two API servers' files as the one log", () => {
    const two = importAuditLogs([fixture('two-servers/apiserver-a.jsonl'), fixture('two-servers/apiserver-b.jsonl')]);
    const one = importAuditLogs([fixture('delete-cp-then-promote.jsonl')]);
    expect(two.result.verdicts.map((v) => [v.invariant, v.status])).to.deep.equal(one.result.verdicts.map((v) => [v.invariant, v.status]));
  });

  it('says the sample oracles are inconclusive because an audit log holds no writes or etcd samples', () => {
    const { result } = importAuditLogs([fixture('delete-cp-then-promote.jsonl')]);
    for (const name of ['quorum-survives', 'quorum-lost', 'no-lost-writes']) {
      const v = result.verdicts.find((x) => x.invariant === name);
      expect(v?.status, name).to.equal('inconclusive');
      expect(v?.summary, name).to.contain('an audit log holds no writes through the VIP and no etcd samples');
    }
  });

  it("judges nothing about promotions from a log without Node objects (Harvester's own policy): inconclusive, not pass", () => {
    const { result } = importAuditLogs([fixture('harvester-default-policy.jsonl')]);
    for (const name of ['promotion-only-after-deletion', 'promotion-after-deletion', 'management-count', 'promote-status-lifecycle']) {
      const v = result.verdicts.find((x) => x.invariant === name);
      expect(v?.status, name).to.equal('inconclusive');
      expect(v?.summary, name).to.match(/^the audit log holds no Node object/);
    }
  });

  it('keeps good lines and returns the bad ones as problems; --strict makes them bad input', () => {
    const { problems } = importAuditLogs([fixture('delete-cp-then-promote.jsonl'), fixture('malformed.jsonl')]);
    expect(problems.map((p) => p.line)).to.include.members([4, 5, 6, 8, 9, 10]);
    expect(() => importAuditLogs([fixture('malformed.jsonl')], { strict: true })).to.throw(FileProblemsError, /malformed.jsonl:10:1/);
  });

  it('gives bad input (not a crash) for a missing file or a file with no usable event', () => {
    expect(() => importAuditLogs([fixture('no-such.jsonl')])).to.throw(FileProblemsError, /no-such.jsonl: .*no such file or directory/);
    expect(() => importAuditLogs([fixture('../histories/stale-read.json')])).to.throw(FileProblemsError, /found none usable/);
  });
});
