import { expect } from 'chai';
import { SetupError } from '../util/errors.ts';
import { FileProblemsError, formatProblem, unreadableFileProblem } from './problems.ts';

describe('schema/problems: the one problem format', () => {
  it('formats a problem as file:line:col: path: message, with (root) and without a position when there is none', () => {
    expect(formatProblem({ file: 'a.yaml', line: 3, column: 5, path: 'steps[0].kill', message: 'unknown node' })).to.equal(
      'a.yaml:3:5: steps[0].kill: unknown node',
    );
    expect(formatProblem({ file: 'a.yaml', line: 0, column: 0, path: '', message: 'no such file or directory' })).to.equal(
      'a.yaml: (root): no such file or directory',
    );
  });

  it('FileProblemsError lists every problem, one per line, sorted by file then position; it is bad input (a SetupError)', () => {
    const error = new FileProblemsError([
      { file: 'b.json', line: 2, column: 1, path: 'events[0].t', message: 'expected a number' },
      { file: 'a.yaml', line: 9, column: 3, path: 'name', message: 'late' },
      { file: 'a.yaml', line: 2, column: 7, path: '', message: 'early' },
      { file: 'a.yaml', line: 0, column: 0, path: '', message: 'whole file' },
    ]);
    expect(error.message).to.equal(
      [
        'a.yaml: (root): whole file',
        'a.yaml:2:7: (root): early',
        'a.yaml:9:3: name: late',
        'b.json:2:1: events[0].t: expected a number',
      ].join('\n'),
    );
    expect(error.problems.map((p) => p.message)).to.deep.equal(['whole file', 'early', 'late', 'expected a number']);
    expect(error).to.be.instanceOf(SetupError);
    expect(error.name).to.equal('FileProblemsError');
  });

  it('says why a file cannot be read', () => {
    const missing = Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' });
    const folder = Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
    expect(unreadableFileProblem('x.yaml', missing, 'topology file').message).to.equal('no such file or directory');
    expect(unreadableFileProblem('x', folder, 'topology file').message).to.equal('is a directory, not a topology file');
  });
});
