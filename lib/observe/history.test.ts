import { expect } from 'chai';
import { HistoryBuilder, T0, tnode } from './testing/history-builder.ts';
import { FileProblemsError } from '../schema/problems.ts';
import { harnessDeletions, loadHistory, loadHistoryDocument, nodesAt, resolveBudgets, runStartOf, serializeHistory } from './history.ts';
import type { HistoryEvent } from './history.ts';

const cp = (i: number, extra = {}) => tnode(`cp-${i}`, { management: true, ageMinutes: i, ...extra });

function sample(): HistoryEvent[] {
  return new HistoryBuilder()
    .cluster([cp(0), cp(1), cp(2), tnode('w-0', { ageMinutes: 10 })])
    .at(1)
    .write(1, 1)
    .at(2)
    .fault('k', 'kill', ['cp-1'])
    .at(3)
    .gap('nodes', 2.5, 3)
    .end()
    .build();
}

/** Loads a history's text, expecting an error. */
function textError(text: string, file = 'h.json'): FileProblemsError {
  try {
    loadHistory(text, file);
  } catch (error) {
    if (error instanceof FileProblemsError) return error;
    throw error;
  }
  throw new Error('expected a FileProblemsError');
}

/** Loads events given as JSON-able objects (one line), expecting an error: its first problem, as path and message. */
function loadError(events: unknown[]): { path: string; message: string } {
  const [first] = textError(JSON.stringify({ events })).problems;
  if (first === undefined) throw new Error('expected a problem');
  return { path: first.path.replace(/^events\[\d+\]\.?/, ''), message: `${first.path}: ${first.message}` };
}

describe('history: load and serialize', () => {
  it('round-trips through serializeHistory, one event per line', () => {
    const events = sample();
    const text = serializeHistory(events);
    expect(text.split('\n').length).to.equal(events.length + 3);
    expect(loadHistory(text, 'h.json')).to.deep.equal(events);
  });

  it('accepts a bare array, and fixture documents with expect and description', () => {
    const events = sample();
    expect(loadHistory(JSON.stringify(events), 'a.json')).to.deep.equal(events);
    const doc = loadHistoryDocument(JSON.stringify({ description: 'd', expect: { 'management-count': 'pass' }, events }), 'f.json');
    expect(doc.expect).to.deep.equal({ 'management-count': 'pass' });
    expect(doc.description).to.equal('d');
  });

  it('reports a wrong field type in the one problem format: file:line:col, the path into the document, the message', () => {
    const events = sample() as unknown as Record<string, unknown>[];
    const node = structuredClone(events[1]) as { node: { conditions: { status: unknown }[] } };
    (node.node.conditions[0] as { status: unknown }).status = 7;
    events[1] = node as unknown as Record<string, unknown>;
    const text = serializeHistory(events as unknown as HistoryEvent[]);
    const error = textError(text);
    expect(error.name).to.equal('FileProblemsError');
    expect(error.problems).to.have.length(1);
    const [problem] = error.problems;
    expect(problem?.file).to.equal('h.json');
    expect(problem?.path).to.equal('events[1].node.conditions[0].status');
    // serializeHistory writes one event per line, after the opening line: event 1 is on line 3.
    expect(problem?.line).to.equal(3);
    const column = (text.split('\n')[2] ?? '').indexOf('"status":7') + '"status":'.length + 1;
    expect(problem?.column).to.equal(column);
    expect(error.message).to.equal(
      `h.json:3:${column}: events[1].node.conditions[0].status: expected a string, found a number (7) (node event, seq 1)`,
    );
  });

  it('lists every broken event (up to a limit), not only the first, and reads bare arrays with paths from the root', () => {
    const notes = Array.from({ length: 30 }, (_, i) => ({ seq: i, t: T0, kind: 'note', message: i }));
    const error = textError(JSON.stringify(notes));
    expect(error.problems.slice(0, 2).map((p) => `${p.path}: ${p.message}`)).to.deep.equal([
      '[0].message: expected a string, found a number (0) (note event, seq 0)',
      '[1].message: expected a string, found a number (1) (note event, seq 1)',
    ]);
    expect(error.problems).to.have.length(21);
    expect(error.problems[20]).to.include({ path: '', message: 'stopped after 20 problems' });
  });

  it('suggests the event kind meant, and names values not in a list', () => {
    expect(loadError([{ seq: 0, t: T0, kind: 'nots', message: 'x' }]).message).to.match(
      /^events\[0\]\.kind: unknown event kind "nots" \(did you mean "note"\?\); expected one of run-start, /,
    );
    const gap = { seq: 0, t: T0, kind: 'gap', source: 'node', from: T0, to: T0, reason: 'r' };
    expect(loadError([{ seq: 0, t: T0, kind: 'constructor' }]).path).to.equal('kind');
    expect(loadError([gap]).message).to.match(
      /^events\[0\]\.source: unknown value "node" \(did you mean "nodes"\?\); expected one of "nodes", "jobs"/,
    );
  });

  it('quotes label keys that are not identifiers in paths', () => {
    const events = sample() as unknown as Record<string, unknown>[];
    const node = structuredClone(events[1]) as { node: { labels: Record<string, unknown> } };
    node.node.labels['node-role.kubernetes.io/etcd'] = true;
    events[1] = node as unknown as Record<string, unknown>;
    expect(loadError(events).path).to.equal('node.labels["node-role.kubernetes.io/etcd"]');
  });

  it('reports missing fields, unknown kinds and bad seq/t', () => {
    expect(loadError([{ seq: 0, t: T0, kind: 'note' }]).message).to.match(
      /^events\[0\]\.message: missing required field; expected a string/,
    );
    expect(loadError([{ seq: 0, t: T0, kind: 'weird' }]).path).to.equal('kind');
    expect(loadError([{ seq: 'x', t: T0, kind: 'note', message: '' }]).path).to.equal('seq');
    const twice = [
      { seq: 1, t: T0, kind: 'note', message: 'a' },
      { seq: 1, t: T0, kind: 'note', message: 'b' },
    ];
    expect(loadError(twice).message).to.match(/^events\[1\]\.seq: must increase strictly/);
    const back = [
      { seq: 1, t: T0 + 5, kind: 'note', message: 'a' },
      { seq: 2, t: T0, kind: 'note', message: 'b' },
    ];
    expect(loadError(back).message).to.match(/^events\[1\]\.t: must not decrease/);
  });

  it('checks action phases follow an intent of the same fault', () => {
    const orphan = [{ seq: 0, t: T0, kind: 'action', id: 'a', phase: 'applied', fault: 'kill', nodes: ['cp-0'] }];
    expect(loadError(orphan).message).to.match(/no intent before it/);
    const mismatch = [
      { seq: 0, t: T0, kind: 'action', id: 'a', phase: 'intent', fault: 'kill', nodes: ['cp-0'] },
      { seq: 1, t: T0, kind: 'action', id: 'a', phase: 'applied', fault: 'pause', nodes: ['cp-0'] },
    ];
    expect(loadError(mismatch).path).to.equal('fault');
    expect(loadError([{ seq: 0, t: T0, kind: 'action', id: 'a', phase: 'intent', fault: 'explode', nodes: [] }]).path).to.equal('fault');
  });

  it('keeps the annotations an annotate action set or removed (null) and the resourceVersions it left', () => {
    const annotate = (seq: number, phase: string, extra = {}) => ({
      seq,
      t: T0,
      kind: 'action',
      id: 'a',
      phase,
      fault: 'annotate',
      nodes: ['w-0'],
      annotations: { 'harvesterhci.io/promote-status': null, note: 'x' },
      ...extra,
    });
    const events = [annotate(0, 'intent'), annotate(1, 'applied', { rvs: { 'w-0': '42' } })];
    expect(loadHistory(JSON.stringify(events), 'a.json')).to.deep.equal(events);
    expect(loadError([annotate(0, 'intent', { annotations: { note: 1 } })]).path).to.equal('annotations.note');
    expect(loadError([annotate(0, 'intent', { rvs: { 'w-0': null } })]).path).to.equal('rvs.w-0');
  });

  it('checks op completions follow their invoke, once, and write values are present', () => {
    const op = (seq: number, phase: string, extra = {}) => ({
      seq,
      t: T0,
      kind: 'op',
      process: 'vip',
      target: 'vip',
      opId: 1,
      phase,
      f: 'write',
      value: 1,
      ...extra,
    });
    expect(loadError([op(0, 'ok')]).message).to.match(/with no invoke before it/);
    expect(loadError([op(0, 'invoke'), op(1, 'ok'), op(2, 'ok')]).message).to.match(/completed twice/);
    expect(loadError([op(0, 'invoke'), op(1, 'invoke')]).message).to.match(/invoked twice/);
    expect(loadError([op(0, 'invoke', { value: undefined })]).path).to.equal('value');
    expect(loadError([op(0, 'invoke', { f: 'cas', value: [1] })]).path).to.equal('value');
  });

  it('rejects invalid JSON and documents without events, naming the file', () => {
    expect(() => loadHistory('{', 'bad.json')).to.throw(FileProblemsError, /^bad\.json:1:2: \(root\): not valid JSON/);
    expect(() => loadHistory('{"x":1}', 'bad.json')).to.throw(/^bad\.json:1:1: events: missing required field; expected an array/);
    expect(() => loadHistory('{"events":[],"expect":{"a":"maybe"}}', 'bad.json')).to.throw(
      /^bad\.json:1:28: expect\.a: unknown value "maybe"; expected one of "pass", "fail", "inconclusive"/,
    );
    expect(() => loadHistory('7', 'bad.json')).to.throw(
      /^bad\.json:1:1: \(root\): expected an array of events or an object with "events", found a number \(7\)/,
    );
  });

  it('loads and validates a large history (timing is left to the bench)', () => {
    const b = new HistoryBuilder().cluster([cp(0), cp(1), cp(2)]);
    for (let i = 0; i < 20_000; i += 1) b.wait(10).node('MODIFIED', cp(i % 3));
    expect(loadHistory(serializeHistory(b.build()), 'big.json').length).to.equal(20_004);
  });
});

describe('history: helpers', () => {
  it('resolveBudgets defaults outageMs to election timeout + 2 s', () => {
    const budgets = resolveBudgets(
      { kubeletHeartbeatMs: 1, nodeMonitorGraceMs: 1, etcdHeartbeatMs: 1, etcdElectionTimeoutMs: 1000 },
      { promotionMs: 5 },
    );
    expect(budgets).to.deep.equal({ promotionMs: 5, outageMs: 3000, recoveryMs: 120_000 });
  });

  it('nodesAt replays node events up to a time (DELETED removes)', () => {
    const h = new HistoryBuilder()
      .cluster([cp(0), cp(1)])
      .at(5)
      .node('MODIFIED', cp(1, { ready: 'False' }))
      .at(10)
      .node('DELETED', cp(1, { ready: 'False' }))
      .build();
    expect([...nodesAt(h, T0).keys()]).to.deep.equal(['cp-0', 'cp-1']);
    expect(nodesAt(h, T0 + 7_000).get('cp-1')?.conditions[0]?.status).to.equal('False');
    expect([...nodesAt(h, T0 + 10_000).keys()]).to.deep.equal(['cp-0']);
    expect(runStartOf(h)?.nodes.length).to.equal(2);
  });

  it('harnessDeletions pairs applied deletions with the DELETED that followed the intent', () => {
    const h = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2), tnode('w-0')])
      .at(1)
      .action('d1', 'intent', 'delete-node', ['cp-2'])
      .node('DELETED', cp(2)) // gone before "applied" was recorded
      .action('d1', 'applied', 'delete-node', ['cp-2'])
      .at(2)
      .fault('d2', 'force-delete-node', ['cp-1'])
      .at(3)
      .action('d3', 'intent', 'delete-node', ['w-0'])
      .action('d3', 'failed', 'delete-node', ['w-0'], { error: 'forbidden' })
      .build();
    const deletions = harnessDeletions(h);
    expect(deletions.map((d) => [d.actionId, d.node, d.goneAt !== undefined])).to.deep.equal([
      ['d1', 'cp-2', true],
      ['d2', 'cp-1', false],
    ]);
    // A later part of the removal failed after the Node had gone (kind: etcd refused the member's removal): deleted.
    const failedLate = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2)])
      .at(1)
      .action('d4', 'intent', 'delete-node', ['cp-2'])
      .node('DELETED', cp(2))
      .at(2)
      .action('d4', 'failed', 'delete-node', ['cp-2'], { error: 'etcdserver: unhealthy cluster' })
      .build();
    const [late] = harnessDeletions(failedLate);
    expect([late?.actionId, late?.applied.phase, late?.goneAt]).to.deep.equal(['d4', 'failed', T0 + 1_000]);
    expect(deletions[0]?.before?.uid).to.equal('uid-cp-2');
    expect(deletions[0]?.gone?.seq).to.be.lessThan(deletions[0]?.applied.seq ?? 0);
  });

  it('harnessDeletions does not take a re-created node of the same name for the deleted one', () => {
    const h = new HistoryBuilder()
      .cluster([cp(0), cp(1), cp(2)])
      .at(1)
      .node('DELETED', cp(2))
      .at(2)
      .node('ADDED', cp(2, { uid: 'second' }))
      .at(3)
      .fault('d', 'delete-node', ['cp-2'])
      .at(4)
      .node('DELETED', cp(2, { uid: 'other' }))
      .at(5)
      .node('DELETED', cp(2, { uid: 'second' }))
      .build();
    const [deletion] = harnessDeletions(h);
    expect(deletion?.gone?.node.uid).to.equal('second');
    expect(deletion?.goneAt).to.equal(T0 + 5_000);
  });
});
