import { expect } from 'chai';
import type { V1Node } from '@kubernetes/client-node';
import { creationOrderMismatch } from './creation-order.ts';

const node = (name: string, at: string): V1Node => ({ metadata: { name, creationTimestamp: new Date(at) } });
const start = [
  { name: 'cp-0', role: 'control-plane' as const },
  { name: 'w-a', role: 'worker' as const },
  { name: 'w-b', role: 'worker' as const },
];

describe('creation order precondition (cluster.sandbox.distinctCreationSeconds)', () => {
  it('holds when each worker is older than the next by whole seconds', () => {
    expect(
      creationOrderMismatch(start, [
        node('cp-0', '2026-12-03T00:00:00Z'),
        node('w-a', '2026-12-03T00:00:01Z'),
        node('w-b', '2026-12-03T00:00:02Z'),
      ]),
    ).to.equal(undefined);
  });

  it('fails when two workers were created within one second, or in the other order, naming both', () => {
    expect(creationOrderMismatch(start, [node('w-a', '2026-12-03T00:00:01.100Z'), node('w-b', '2026-12-03T00:00:01.900Z')])).to.match(
      /worker\[0\] w-a was created at 2026-12-03T00:00:01.000Z, worker\[1\] w-b at 2026-12-03T00:00:01.000Z/,
    );
    expect(creationOrderMismatch(start, [node('w-a', '2026-12-03T00:00:05Z'), node('w-b', '2026-12-03T00:00:02Z')])).to.match(
      /workers created in different seconds, worker\[0\] first/,
    );
  });

  it('names a worker the API does not list', () => {
    expect(creationOrderMismatch(start, [node('w-a', '2026-12-03T00:00:05Z')])).to.equal('no creationTimestamp for w-b');
  });
});
