import type { ScenarioResult } from './result.ts';
import { expect } from 'chai';
import { renderJUnit } from './junit.ts';
import { PLANTED_SECRETS, sampleResult } from './testing/sample-run.ts';
import { childrenNamed, parseXml, type XmlElement } from './xml-parse.ts';

function only(element: XmlElement, name: string): XmlElement {
  const found = childrenNamed(element, name);
  expect(found, `<${name}> in <${element.name}>`).to.have.length(1);
  return found[0] as XmlElement;
}

function properties(suite: XmlElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of childrenNamed(only(suite, 'properties'), 'property'))
    out[p.attributes['name'] as string] = p.attributes['value'] as string;
  return out;
}

describe('renderJUnit', () => {
  it('writes one testsuite per scenario and one testcase per verdict, with counts', () => {
    const second: ScenarioResult = {
      ...sampleResult('all-good'),
      status: 'pass',
      verdicts: [{ invariant: 'steps', status: 'pass', summary: 'ok', evidence: [] }],
    };
    const root = parseXml(renderJUnit([sampleResult(), second]));
    expect(root.name).to.equal('testsuites');
    expect(root.attributes).to.include({ name: 'cpchaos', tests: '5', failures: '1', errors: '0', skipped: '1', time: '108.000' });
    const suites = childrenNamed(root, 'testsuite');
    expect(suites.map((s) => s.attributes['name'])).to.deep.equal(['kill-cp-then-promote', 'all-good']);
    const suite = suites[0] as XmlElement;
    expect(suite.attributes).to.include({
      tests: '4',
      failures: '1',
      errors: '0',
      skipped: '1',
      time: '54.000',
      timestamp: '2025-05-31T23:59:58Z',
    });
    expect(properties(suite)).to.include({ seed: '1a2b3c', runId: 'run-7f3a', file: 'suites/scenarios/kill-cp-then-promote.yaml' });
    const cases = childrenNamed(suite, 'testcase');
    expect(cases.map((c) => [c.attributes['classname'], c.attributes['name']])).to.deep.equal([
      ['kill-cp-then-promote', 'quorum-survives'],
      ['kill-cp-then-promote', 'promotion-after-deletion'],
      ['kill-cp-then-promote', 'quorum-lost'],
      ['kill-cp-then-promote', 'steps'],
    ]);
    expect(cases[1]?.children).to.have.length(0);
    const skipped = only(cases[2] as XmlElement, 'skipped');
    expect(skipped.attributes['message']).to.match(/^inconclusive: precondition not met/);
  });

  it('names the proving events in the failure text', () => {
    const root = parseXml(renderJUnit([sampleResult()]));
    const failing = childrenNamed(only(root, 'testsuite'), 'testcase')[0] as XmlElement;
    const failure = only(failing, 'failure');
    expect(failure.attributes['type']).to.equal('quorum-survives');
    expect(failure.attributes['message']).to.equal(
      'No write through the VIP was acknowledged for 4.22s while only cp-0 was down (budget 3s).',
    );
    const lines = failure.text.split('\n');
    expect(lines).to.include('Evidence (4 events; #seq, time from run start):');
    const evidence = lines.filter((l) => l.startsWith('  #'));
    expect(evidence).to.have.length(4);
    expect(evidence[0]).to.match(/^ {2}#\d+ \+4\.14s op vip#\d+ ok write \d+$/);
    expect(evidence[1]).to.match(/^ {2}#\d+ \+5\.00s action a1 applied kill cp-0$/);
    expect(evidence[2]).to.match(/^ {2}#\d+ \+6\.80s etcd leader=cp-1 members=cp-0,cp-1,cp-2$/);
    expect(failure.text).to.match(/Details: \{"outageMs":4220,"budgetMs":3000,/);
  });

  it('escapes markup and control characters so the document stays well-formed', () => {
    const base = sampleResult();
    const nasty = 'a <b> & "c" \'d\' ]]> \u0001\u001b[31m \uD800 tab\there\nline';
    const result: ScenarioResult = {
      ...base,
      scenario: { ...base.scenario, name: `x<y & "z"` },
      verdicts: [{ invariant: 'no-lost-writes', status: 'fail', summary: nasty, evidence: [], details: { error: nasty } }],
    };
    const xml = renderJUnit([result]);
    const root = parseXml(xml);
    const suite = only(root, 'testsuite');
    expect(suite.attributes['name']).to.equal('x<y & "z"');
    const failure = only(only(suite, 'testcase'), 'failure');
    expect(failure.attributes['message']).to.equal('a <b> & "c" \'d\' ]]> \\u0001\\u001b[31m \\ud800 tab\there\nline');
    expect(failure.text).to.contain('a <b> & "c"');
  });

  it('reports a scenario without verdicts as an error', () => {
    const result: ScenarioResult = { ...sampleResult(), verdicts: [], status: 'inconclusive' };
    const root = parseXml(renderJUnit([result]));
    expect(root.attributes).to.include({ tests: '1', errors: '1', failures: '0' });
    expect(only(only(only(root, 'testsuite'), 'testcase'), 'error').attributes['type']).to.equal('no-verdicts');
  });

  it('never writes a planted credential', () => {
    const xml = renderJUnit([sampleResult()]);
    for (const secret of Object.values(PLANTED_SECRETS)) expect(xml).not.to.contain(secret);
    expect(xml).to.contain('[REDACTED]');
  });
});

describe('parseXml (the test parser itself)', () => {
  for (const [label, text] of [
    ['mismatched tags', '<a><b></a></b>'],
    ['raw ampersand', '<a>x & y</a>'],
    ['raw < in attribute', '<a b="<"/>'],
    ['duplicate attribute', '<a b="1" b="2"/>'],
    ['unknown entity', '<a>&nbsp;</a>'],
    ['control character', '<a>\u0001</a>'],
    ['two roots', '<a/><b/>'],
    ['unquoted attribute', '<a b=1/>'],
  ] as const) {
    it(`rejects ${label}`, () => {
      expect(() => parseXml(text)).to.throw(/XML syntax error/);
    });
  }

  it('decodes references', () => {
    expect(parseXml('<a t="&quot;&#10;&#x41;">&lt;&amp;&gt;</a>')).to.deep.include({ text: '<&>', attributes: { t: '"\nA' } });
  });
});

describe('renderJUnit: errors and known bugs', () => {
  const base = sampleResult();
  const knownBug = { url: 'https://github.com/harvester/harvester/issues/8968', fails: ['quorum-survives'] };

  it('writes an error verdict as <error>, never <failure>', () => {
    const errored: ScenarioResult = {
      ...base,
      status: 'error',
      verdicts: [{ invariant: 'run', status: 'error', summary: 'the run could not complete: kind create cluster failed', evidence: [] }],
    };
    const suite = only(parseXml(renderJUnit([errored])), 'testsuite');
    expect(suite.attributes).to.include({ tests: '1', failures: '0', errors: '1', skipped: '0' });
    const error = only(only(suite, 'testcase'), 'error');
    expect(error.attributes['message']).to.contain('kind create cluster failed');
  });

  it('writes the failed verdicts of a known bug reproduced as described as <skipped> with the link', () => {
    const xfail: ScenarioResult = { ...base, scenario: { ...base.scenario, knownBug }, status: 'xfail' };
    const suite = only(parseXml(renderJUnit([xfail])), 'testsuite');
    expect(suite.attributes).to.include({ failures: '0', errors: '0', skipped: '2' });
    const skippedCase = childrenNamed(suite, 'testcase').find((c) => c.attributes['name'] === 'quorum-survives') as XmlElement;
    expect(only(skippedCase, 'skipped').attributes['message']).to.match(
      /^known bug \(https:\/\/github.com\/harvester\/harvester\/issues\/8968\), expected failure/,
    );
  });

  it('adds a failed known-bug testcase when the bug did not reproduce, skipped under --allow-xpass', () => {
    const xpass: ScenarioResult = {
      ...base,
      scenario: { ...base.scenario, knownBug },
      status: 'xpass',
      knownBug: 'known bug did not reproduce: quorum-survives passed. Bug fixed?',
      verdicts: base.verdicts.map((v) => ({ ...v, status: 'pass' as const })),
    };
    const strict = only(parseXml(renderJUnit([xpass])), 'testsuite');
    expect(strict.attributes).to.include({ failures: '1', skipped: '0' });
    const bugCase = childrenNamed(strict, 'testcase').find((c) => c.attributes['name'] === 'known-bug') as XmlElement;
    expect(only(bugCase, 'failure').attributes['message']).to.contain('Bug fixed?');
    const allowed = only(parseXml(renderJUnit([xpass], { allowXpass: true })), 'testsuite');
    expect(allowed.attributes).to.include({ failures: '0', skipped: '1' });
  });
});
