// The last state this API server read or wrote of each object, as the starting guess of a read-modify-write: what
// kube-apiserver's GuaranteedUpdate does with the watch cache's object (k8s.io/apiserver pkg/storage/etcd3/store.go:
// cachedExistingObject, origStateIsCurrent). The guess saves a read from etcd per update (a kubelet's lease renewal
// is a read and a write otherwise); the write stays a compare-and-swap on the guess's mod revision, so a stale guess
// costs a failed swap, whose failure branch reads the current state, never a lost update.
import type { KeyValue } from '../etcd/codec.ts';

/** How many objects are remembered; the least recently used go first. */
const DEFAULT_CAPACITY = 4096;

export class LastKnownObjects {
  private readonly byKey = new Map<string, KeyValue>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get(key: string): KeyValue | undefined {
    const kv = this.byKey.get(key);
    if (kv === undefined) return undefined;
    this.byKey.delete(key);
    this.byKey.set(key, kv);
    return kv;
  }

  remember(kv: KeyValue): void {
    this.byKey.delete(kv.key);
    this.byKey.set(kv.key, kv);
    if (this.byKey.size > this.capacity) {
      const oldest = this.byKey.keys().next();
      if (oldest.done !== true) this.byKey.delete(oldest.value);
    }
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  /** Forgets every key under a prefix (a namespace's deletion takes its objects). */
  forgetPrefix(prefix: string): void {
    for (const key of [...this.byKey.keys()]) if (key.startsWith(prefix)) this.byKey.delete(key);
  }

  get size(): number {
    return this.byKey.size;
  }
}
