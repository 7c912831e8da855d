import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadHistory, serializeHistory } from '../history-io.ts';
import { eventsOfKind } from '../history.ts';
import { buildHistoryFromAudit } from './build-history.ts';
import { mergeAuditEvents } from './merge.ts';
import { readAuditLogText } from './read-audit-log.ts';

const FIXTURES = new URL('../../../fixtures/audit/', import.meta.url);
const read = (name: string) => readAuditLogText(readFileSync(new URL(name, FIXTURES), 'utf8'), name);
const build = (...names: string[]) => buildHistoryFromAudit(mergeAuditEvents(names.map((n) => read(n).events)).events);

describe('audit log reader', () => {
  it('reports each unusable line with file, line and what was expected, and keeps the good ones', () => {
    const { events, problems } = read('malformed.jsonl');
    // Line 1 plain, line 7 wrapped in a Docker json-file record, line 8 an EventList with one good item.
    expect(events.map((e) => [e.source.line, e.event.auditID])).to.deep.equal([
      [1, 'hb-cp-0-0'],
      [7, 'wrapped'],
      [8, 'listed'],
    ]);
    const at = (line: number) => problems.filter((p) => p.line === line).map((p) => `${p.path}: ${p.message}`);
    expect(at(2)).to.deep.equal([]);
    expect(at(4)).to.deep.equal(['auditID: expected a non-empty string, found an empty value']);
    expect(at(5)[0]).to.match(/^stageTimestamp: expected an RFC 3339 timestamp/);
    expect(at(6)[0]).to.match(/expected an audit.k8s.io\/v1 Event .* found an object with level, msg/);
    expect(at(8)).to.include(
      'items[1].stage: expected one of RequestReceived, ResponseStarted, ResponseComplete, Panic, found a string ("Nope")',
    );
    expect(at(9)[0]).to.match(/^stage: expected one of/);
    expect(at(10)[0]).to.match(/not valid JSON \(the last line: a truncated write\?\)/);
    expect(problems.every((p) => p.file === 'malformed.jsonl')).to.equal(true);
  });

  it('reads a message wrapper holding the event as an object, and text with CRLF line ends', () => {
    const line = readFileSync(new URL('delete-cp-then-promote.jsonl', FIXTURES), 'utf8').split('\n')[0] as string;
    const text = `${JSON.stringify({ message: JSON.parse(line) as unknown })}\r\n\r\n${line}\r\n`;
    const { events, problems } = readAuditLogText(text, 'x.log');
    expect(problems).to.deep.equal([]);
    expect(events.map((e) => e.source.line)).to.deep.equal([1, 3]);
  });
});

describe('audit log merge', () => {
  it("merges two API servers' files, shuffled and overlapping, into the one log: same events, same order", () => {
    const one = mergeAuditEvents([read('delete-cp-then-promote.jsonl').events]);
    const two = mergeAuditEvents([read('two-servers/apiserver-a.jsonl').events, read('two-servers/apiserver-b.jsonl').events]);
    const key = (m: typeof one) => m.events.map((e) => `${e.event.auditID}/${e.event.stage}`);
    expect(key(two)).to.deep.equal(key(one));
    expect(two.events.every((e) => e.event.stage === 'ResponseComplete')).to.equal(true);
    expect(two.duplicates).to.be.greaterThan(one.duplicates);
    const times = two.events.map((e) => e.event.stageMs);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
  });
});

describe('history from an audit log', () => {
  it("turns an operator's Node DELETE into a delete-node action, names who deleted, and the Node gone", () => {
    const { history } = build('delete-cp-then-promote.jsonl');
    const actions = eventsOfKind(history, 'action');
    expect(actions.map((a) => [a.phase, a.fault, a.nodes])).to.deep.equal([
      ['intent', 'delete-node', ['cp-2']],
      ['applied', 'delete-node', ['cp-2']],
    ]);
    expect(eventsOfKind(history, 'note').some((n) => /Node cp-2 deleted by admin/.test(n.message))).to.equal(true);
    const deleted = eventsOfKind(history, 'node').filter((n) => n.type === 'DELETED');
    expect(deleted.map((n) => [n.node.name, n.node.labels['node-role.kubernetes.io/control-plane']])).to.deep.equal([['cp-2', 'true']]);
    const start = eventsOfKind(history, 'run-start')[0];
    expect(start?.nodes.filter((n) => n.role === 'control-plane').map((n) => n.name)).to.deep.equal(['cp-0', 'cp-1', 'cp-2']);
    expect(start?.timers.nodeMonitorGraceMs).to.equal(50_000); // kubelet v1.32 -> RKE2 1.32 timers
    const job = eventsOfKind(history, 'job').at(-1);
    expect([job?.name, job?.ownerNode, job?.succeeded]).to.deep.equal(['harvester-promote-w-0', 'w-0', 1]);
  });

  it('writes a history that loadHistory accepts', () => {
    const { history } = build('delete-cp-then-promote.jsonl');
    expect(loadHistory(serializeHistory(history), 'history.json')).to.have.length(history.length);
  });

  it("under Harvester's own policy (Metadata, RequestReceived only) takes the deleted Node as gone only at the end, blind from the deletion", () => {
    const { history, coverage } = build('harvester-default-policy.jsonl');
    expect(coverage.nodeObjects).to.equal(0);
    expect(coverage.deletionsOfUnknownOutcome).to.equal(1);
    expect(coverage.jobCreatesUnseen).to.equal(1);
    const deleted = eventsOfKind(history, 'node').find((n) => n.type === 'DELETED');
    const gap = eventsOfKind(history, 'gap')[0];
    const intent = eventsOfKind(history, 'action')[0];
    expect(deleted?.t).to.equal(history.at(-1)?.t);
    expect([gap?.source, gap?.from, gap?.to]).to.deep.equal(['nodes', intent?.t, deleted?.t]);
  });
});
