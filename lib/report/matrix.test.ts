import { expect } from 'chai';
import { HistoryBuilder, tnode } from '../observe/testing/history-builder.ts';
import { buildMatrix, describeCell, matrixMarkdown, promotionsIn } from './matrix.ts';

describe('report/matrix: policies side by side', () => {
  it('lists every node that started promoting, with the status it ended with unless complete, deletion or not', () => {
    const history = new HistoryBuilder()
      .node('SYNC', tnode('done', { status: 'complete' })) // promoted before the run: not this run's promotion
      .node('MODIFIED', tnode('w1', { status: 'running' }))
      .node('MODIFIED', tnode('w1', { status: 'complete' }))
      .node('MODIFIED', tnode('w2', { status: 'running' }))
      .node('MODIFIED', tnode('w3', { status: 'running' }))
      .node('MODIFIED', tnode('w3', { status: 'failed' }))
      .build();
    expect(promotionsIn(history)).to.deep.equal(['w1', 'w2 (running)', 'w3 (failed)']);
  });

  it('writes a row per scenario and a column per policy, escaping pipes', () => {
    const matrix = buildMatrix(
      ['reference', 'a|b'],
      [
        { policy: 'reference', scenario: 's', status: 'fail', failed: ['management-count'], promotions: ['w0 (running)'] },
        { policy: 'a|b', scenario: 's', status: 'pass', failed: [], promotions: ['w1'], promotionLatencyMs: 1900, longestWriteOutageMs: 0 },
      ],
    );
    expect(matrixMarkdown(matrix).split('\n')).to.deep.equal([
      '| scenario | reference | a\\|b |',
      '| --- | --- | --- |',
      '| s | fail (management-count); promoted w0 (running); longest write outage - | pass; promoted w1; promotion 1.9 s; longest write outage 0.0 s |',
    ]);
    expect(describeCell(undefined)).to.equal('not run');
  });
});
