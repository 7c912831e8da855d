import { expect } from 'chai';
import { Recorder } from '../observe/recorder.ts';
import { HistoryBuilder, T0, tnode } from '../observe/testing/history-builder.ts';
import { formatVerdictLine, INITIAL_PROGRESS, progressLog, progressStep, ProgressReporter } from './progress.ts';
import { PLANTED_SECRETS, sampleHistory, sampleResult } from './testing/sample-run.ts';

describe('progress lines', () => {
  const log = progressLog(sampleHistory().history);

  it('reports actions, steps, node changes, etcd leadership, gaps and VIP availability, one line each', () => {
    for (const line of [
      '  +5.00s step 0: kill cp-0',
      '  +5.00s action a1 applied kill cp-0',
      '  +5.00s step 0 done',
      '  +5.90s api: write through the VIP indeterminate: context deadline exceeded',
      '  +6.80s etcd leader cp-0 -> cp-1',
      '  +8.36s api: write through the VIP ok again, 4.22s after the last acknowledged operation',
      ' +14.60s node cp-0: Ready True -> Unknown',
      ' +16.44s node cp-0 deleted',
      ' +18.00s etcd members cp-0,cp-1,cp-2 -> cp-1,cp-2',
      ' +19.56s node worker-0: promote-status (none) -> running',
      ' +26.32s gap: nodes observation blind for 1.20s (watch reconnect)',
      ' +34.64s node worker-0: role worker -> management; promote-status running -> complete',
      ' +39.84s node cp-2: cordoned',
      ' +49.72s action a1 undone kill cp-0',
      ' +52.00s run ended: completed',
    ]) {
      expect(log).to.include(line);
    }
  });

  it('stays quiet about heartbeats, successful operations and repeated failures', () => {
    expect(log.filter((l) => l.includes('api:'))).to.have.length(2);
    expect(log.filter((l) => l.includes(' op '))).to.deep.equal([]);
    expect(log.filter((l) => l.includes('node cp-1'))).to.deep.equal(['  +0.00s node cp-1 seen: Ready=True role=management']);
  });

  it('redacts credentials', () => {
    expect(log.join('\n')).not.to.contain(PLANTED_SECRETS.token);
    expect(log).to.include(' +26.32s note kubectl --token=[REDACTED] get nodes: Unauthorized');
  });

  it('is a pure reducer: the same state and event give the same result, the input state untouched', () => {
    const event = new HistoryBuilder().node('SYNC', tnode('cp-0', { management: true })).build()[0];
    if (event === undefined) throw new Error('no event');
    const a = progressStep(INITIAL_PROGRESS, event);
    const b = progressStep(INITIAL_PROGRESS, event);
    expect(a.lines).to.deep.equal(b.lines);
    expect(INITIAL_PROGRESS.nodes.size).to.equal(0);
    expect(a.state.nodes.size).to.equal(1);
  });

  it('follows a live recorder', () => {
    const recorder = new Recorder(() => T0);
    const reporter = new ProgressReporter();
    const lines: string[] = [];
    recorder.subscribe((e) => lines.push(...reporter.push(e)));
    recorder.record({ kind: 'etcd', members: [{ name: 'cp-0', id: '1' }], leader: 'cp-0' });
    recorder.record({ kind: 'etcd', members: [], error: 'context deadline exceeded' });
    recorder.record({ kind: 'etcd', members: [], error: 'context deadline exceeded' });
    recorder.record({ kind: 'etcd', members: [{ name: 'cp-0', id: '1' }] });
    expect(lines).to.deep.equal([
      '  +0.00s etcd leader cp-0',
      '  +0.00s etcd unreachable: context deadline exceeded',
      '  +0.00s etcd has no leader',
    ]);
  });
});

describe('formatVerdictLine', () => {
  it('gives status, invariant, summary and evidence seqs, redacted', () => {
    const [failed, passed, inconclusive] = sampleResult().verdicts;
    if (failed === undefined || passed === undefined || inconclusive === undefined) throw new Error('missing verdicts');
    expect(formatVerdictLine(failed)).to.equal(
      'FAIL         quorum-survives: No write through the VIP was acknowledged for 4.22s while only cp-0 was down (budget 3s). (evidence #19 #22 #28 #34)',
    );
    expect(formatVerdictLine(passed)).to.match(/^PASS {9}promotion-after-deletion: worker-0 was promoted/);
    expect(formatVerdictLine(inconclusive)).to.match(/^INCONCLUSIVE quorum-lost: precondition not met/);
    expect(formatVerdictLine({ ...failed, summary: `bad token: ${PLANTED_SECRETS.token}` })).to.contain('token: [REDACTED]');
  });
});
