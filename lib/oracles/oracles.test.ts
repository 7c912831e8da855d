// Every fixture in fixtures/histories lists the verdicts it must get; this asserts exactly those.
import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadHistoryDocument } from '../observe/history.ts';
import { INVARIANT_NAMES } from '../model/invariants.ts';
import { ORACLE_NAMES, UnknownOracleError, runOracles } from './index.ts';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';

const FIXTURES = fileURLToPath(new URL('../../fixtures/histories/', import.meta.url));
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort();

const REQUIRED = [
  'kill-cp-no-promotion',
  'delete-cp-promotes-oldest',
  'majority-down-recovers',
  'promotion-without-deletion',
  'promotion-before-deletion-finished',
  'two-promotions-at-once',
  'four-management-nodes',
  'wrong-candidate-promoted',
  'outage-too-long',
  'writes-during-majority-loss',
  'lost-acknowledged-write',
  'stale-read',
  'illegal-status-transition',
];

describe('fixtures/histories', () => {
  it('holds every named fixture, each expecting at least one verdict', () => {
    for (const name of REQUIRED) expect(files, name).to.include(`${name}.json`);
  });

  for (const file of files) {
    describe(file, () => {
      const doc = loadHistoryDocument(readFileSync(`${FIXTURES}${file}`, 'utf8'), file);
      const verdicts = runOracles(doc.history);
      const expected = Object.entries(doc.expect ?? {});

      it('lists expectations for known invariants', () => {
        expect(expected.length).to.be.greaterThan(0);
        for (const [name] of expected) expect(ORACLE_NAMES).to.include(name);
      });

      for (const [name, status] of expected) {
        it(`${name}: ${status}`, () => {
          const v = verdicts.find((x) => x.invariant === name);
          expect(v, name).to.not.equal(undefined);
          expect(v?.status, v?.summary).to.equal(status);
          if (status === 'fail') expect(v?.evidence.length, 'a failure carries evidence').to.be.greaterThan(0);
        });
      }

      it('runs every oracle without an oracle error', () => {
        for (const v of verdicts) expect(v.summary).to.not.match(/^the oracle failed/);
      });
    });
  }
});

describe('runOracles', () => {
  const history = new HistoryBuilder()
    .cluster([tnode('cp-0', { management: true })])
    .end()
    .build();

  it('runs all oracles in registry order, or the named ones', () => {
    expect(runOracles(history).map((v) => v.invariant)).to.deep.equal(ORACLE_NAMES);
    expect(runOracles(history, ['management-count']).map((v) => v.invariant)).to.deep.equal(['management-count']);
  });

  it('has an oracle for every invariant a scenario can name, and no other', () => {
    expect([...ORACLE_NAMES].sort()).to.deep.equal([...INVARIANT_NAMES].sort());
  });

  it('rejects unknown invariant names', () => {
    expect(() => runOracles(history, ['no-such-thing'])).to.throw(UnknownOracleError, /no-such-thing/);
  });

  it('turns an oracle that throws into an error verdict naming the error (the checker broke, not the system)', () => {
    const broken = runOracles(history, ['promotion-after-deletion'], {
      reference: {
        selectPromoteNode: () => {
          throw new Error('boom');
        },
      },
    });
    // nothing was deleted, so the reference is never asked: still inconclusive for the ordinary reason
    expect(broken[0]?.status).to.equal('inconclusive');
    const deleted = new HistoryBuilder()
      .cluster([
        tnode('cp-0', { management: true }),
        tnode('cp-1', { management: true, ageMinutes: 1 }),
        tnode('cp-2', { management: true, ageMinutes: 2 }),
        tnode('w-0', { ageMinutes: 10 }),
      ])
      .at(1)
      .fault('d', 'delete-node', ['cp-2'])
      .at(2)
      .node('DELETED', tnode('cp-2', { management: true, ageMinutes: 2 }))
      .end()
      .build();
    const crashed = runOracles(deleted, ['promotion-after-deletion'], {
      reference: {
        selectPromoteNode: () => {
          throw new Error('boom');
        },
      },
    });
    expect(crashed[0]?.status).to.equal('error');
    expect(crashed[0]?.summary).to.match(/oracle failed: boom/);
  });

  it('is inconclusive everywhere a run-start is needed when there is none', () => {
    const bare = new HistoryBuilder().write(1, 1).build();
    for (const name of ['promotion-after-deletion', 'quorum-survives', 'quorum-lost']) {
      expect(runOracles(bare, [name])[0]?.status, name).to.equal('inconclusive');
    }
  });
});
