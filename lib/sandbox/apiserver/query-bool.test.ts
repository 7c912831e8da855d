import { expect } from 'chai';
import { queryBool } from './query-bool.ts';

describe('sandbox API: boolean query parameters (apimachinery Convert_Slice_string_To_bool)', () => {
  const read = (query: string): boolean => queryBool(new URLSearchParams(query), 'watch');

  it('reads True, true, 1, t, yes and the empty string as true', () => {
    for (const query of ['watch=True', 'watch=true', 'watch=TRUE', 'watch=1', 'watch=t', 'watch=yes', 'watch=', 'watch'])
      expect(read(query), query).to.equal(true);
  });

  it('reads absence, 0 and false in any case as false', () => {
    for (const query of ['', 'other=1', 'watch=0', 'watch=false', 'watch=False', 'watch=FALSE']) expect(read(query), query).to.equal(false);
  });
});
