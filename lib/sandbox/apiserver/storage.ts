// Objects in etcd: one key per object (/registry/<resource>/[<namespace>/]<name>), JSON without resourceVersion;
// resourceVersion is the key's mod_revision, a list's is the read's header revision.
// Writes are guarded transactions (create-if-absent, compare-and-swap on mod_revision): no lost updates.
import { encodeContinue, pageOf, type ContinueToken } from './pagination.ts';
import { isDeepStrictEqual } from 'node:util';
import type { KeyValue } from '../etcd/codec.ts';
import type { EtcdClient } from '../etcd/gateway-client.ts';
import type { TxnOp } from '../etcd/txn.ts';
import { deleteOnUpdate, deletionStep, type GracefulDelete } from './graceful-delete.ts';
import { LastKnownObjects } from './last-known.ts';
import { isPlainObject, metaOf, setOwn, stringField, type KubeObject } from './object-meta.ts';
import { RESOURCES, findResource, storageKey, type ResourceInfo } from './resources.ts';
import { badRequest, conflict, internal, notFound, alreadyExists } from './status.ts';

/** What a read-modify-write wants stored, and the resourceVersion it requires (a client's precondition). */
export interface UpdateIntent {
  readonly object: KubeObject;
  readonly expectedResourceVersion?: string | undefined;
}

export interface DeletePreconditions {
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

export interface DeleteOutcome {
  /** The object as deleted, or as marked for deletion when finalizers hold it. */
  readonly object: KubeObject;
  readonly deleted: boolean;
}

export interface ListOutcome {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  /** The token of the next chunk, when a limited list left items out. */
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

const MAX_UPDATE_ATTEMPTS = 32;
const NAMESPACES = findResource('', 'v1', 'namespaces') as ResourceInfo;

/** Parses a resourceVersion parameter: undefined for "" (latest), a revision number otherwise. */
export function parseResourceVersion(rv: string | undefined | null): number | undefined {
  if (rv === undefined || rv === null || rv === '') return undefined;
  if (!/^\d+$/.test(rv)) throw badRequest(`invalid resource version "${rv}"`);
  const n = Number(rv);
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid resource version "${rv}"`);
  return n;
}

function withoutResourceVersion(obj: KubeObject): KubeObject {
  const copy: KubeObject = { ...obj };
  if (isPlainObject(obj.metadata)) {
    const meta = { ...obj.metadata };
    delete meta.resourceVersion;
    setOwn(copy, 'metadata', meta);
  }
  return copy;
}

function withResourceVersion(obj: KubeObject, revision: number): KubeObject {
  const copy: KubeObject = { ...obj };
  const meta = isPlainObject(obj.metadata) ? obj.metadata : {};
  setOwn(copy, 'metadata', { ...meta, resourceVersion: String(revision) });
  return copy;
}

export class ObjectStore {
  /**
   * With dryRun, writes run every check a write does (existence, namespace, preconditions, conflicts) and return what
   * would be stored, storing nothing: kube-apiserver's DryRunnableStorage (apiserver
   * pkg/registry/generic/registry/dryrun.go). A dry-run create's object has no resourceVersion; an update's or a
   * delete's has the current one.
   */
  constructor(
    readonly etcd: EtcdClient,
    readonly dryRun = false,
    /** The starting guess of updates (last-known.ts); none in a dry run, which has no swap to catch a stale one. */
    private readonly lastKnown: LastKnownObjects | undefined = dryRun ? undefined : new LastKnownObjects(),
  ) {}

  /** The same store, its writes dry runs (dryRun=All). */
  asDryRun(): ObjectStore {
    return new ObjectStore(this.etcd, true);
  }

  /** The object stored in `kv`, with resourceVersion set to `revision` (default: its mod revision). */
  decode(kv: KeyValue, revision: number = kv.modRevision): KubeObject {
    let parsed: unknown;
    try {
      parsed = JSON.parse(kv.value);
    } catch (error) {
      throw internal(`object at ${kv.key} is not JSON`, error);
    }
    if (!isPlainObject(parsed)) throw internal(`object at ${kv.key} is not a JSON object`);
    return withResourceVersion(parsed, revision);
  }

  async get(info: ResourceInfo, namespace: string | undefined, name: string, signal: AbortSignal): Promise<KubeObject> {
    const key = storageKey(info, namespace, name);
    const { kv } = await this.etcd.get(key, { signal });
    if (!kv) {
      this.lastKnown?.forget(key);
      throw notFound(info, name);
    }
    this.lastKnown?.remember(kv);
    return this.decode(kv);
  }

  /**
   * Lists a collection. resourceVersion "" reads the latest (linearizable), "0" any (serializable);
   * with `exact`, reads at that revision (410 when compacted). A chunk (`limit`, or `continueFrom` a token of an
   * earlier chunk: pagination.ts) reads at the token's revision from its start key and says where the next starts.
   */
  async list(
    info: ResourceInfo,
    namespace: string | undefined,
    options: {
      readonly resourceVersion?: string | undefined;
      readonly exact?: boolean;
      readonly filter?: ((o: KubeObject) => boolean) | undefined;
      readonly limit?: number | undefined;
      readonly continueFrom?: ContinueToken | undefined;
    },
    signal: AbortSignal,
  ): Promise<ListOutcome> {
    const prefix = storageKey(info, namespace);
    const requested = parseResourceVersion(options.resourceVersion);
    const revision = options.continueFrom?.rv ?? (options.exact ? requested : undefined);
    const result = await this.etcd.range(prefix, {
      prefix: true,
      signal,
      ...(revision ? { revision } : {}),
      ...(options.resourceVersion === '0' && !options.continueFrom ? { serializable: true } : {}),
    });
    const entries = result.kvs.map((kv) => ({ key: kv.key.slice(prefix.length), value: this.decode(kv) }));
    const page = pageOf(entries, {
      ...(options.continueFrom ? { start: options.continueFrom.start } : {}),
      ...(options.limit !== undefined ? { limit: options.limit } : {}),
      ...(options.filter ? { keep: options.filter } : {}),
    });
    const resourceVersion = String(revision ?? result.revision);
    if (page.next === undefined) return { items: page.items, resourceVersion };
    return {
      items: page.items,
      resourceVersion,
      continue: encodeContinue({ rv: Number(resourceVersion), start: page.next }),
      // kube-apiserver counts what remains only when no selector filters the list.
      ...(options.filter ? {} : { remainingItemCount: page.remaining }),
    };
  }

  /** Stores a prepared object if its key is free (and, for namespaced resources, its namespace exists). */
  async create(info: ResourceInfo, namespace: string | undefined, obj: KubeObject, signal: AbortSignal): Promise<KubeObject> {
    const name = stringField(metaOf(obj), 'name') ?? '';
    const key = storageKey(info, namespace, name);
    const stored = withoutResourceVersion(obj);
    const nsKey = info.namespaced && namespace !== undefined ? storageKey(NAMESPACES, undefined, namespace) : undefined;
    const result = await this.etcd.txn(
      {
        compare: [
          { key, target: 'create', result: 'equal', value: 0 },
          ...(nsKey ? [{ key: nsKey, target: 'create' as const, result: 'greater' as const, value: 0 }] : []),
        ],
        success: this.dryRun ? [] : [{ put: { key, value: JSON.stringify(stored) } }],
        failure: [{ range: { key } }, ...(nsKey ? [{ range: { key: nsKey } }] : [])],
      },
      { signal, operation: `create ${key}` },
    );
    if (result.succeeded && !this.dryRun) {
      const value = JSON.stringify(stored);
      this.lastKnown?.remember({ key, value, createRevision: result.revision, modRevision: result.revision, version: 1, lease: '0' });
    }
    if (result.succeeded) return this.dryRun ? stored : withResourceVersion(stored, result.revision);
    const existing = result.responses[0];
    if (existing?.kind === 'range' && existing.kvs.length > 0) throw alreadyExists(info, name);
    throw notFound(NAMESPACES, namespace ?? '');
  }

  /**
   * Read-modify-write with compare-and-swap, retried on races unless the intent carries a resourceVersion.
   * An update that leaves a terminating object without finalizers deletes it. It starts from the last state this
   * store knew (GuaranteedUpdate's cached object): an answer that a stale guess could make wrong (a conflict, no
   * change, an error of `tryUpdate`) is given only after the current state is read.
   */
  async update(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    tryUpdate: (current: KubeObject) => UpdateIntent,
    signal: AbortSignal,
  ): Promise<KubeObject> {
    const key = storageKey(info, namespace, name);
    const read = async (): Promise<KeyValue> => {
      const { kv } = await this.etcd.get(key, { signal });
      if (!kv) {
        this.lastKnown?.forget(key);
        throw notFound(info, name);
      }
      return kv;
    };
    const guess = this.lastKnown?.get(key);
    let kv = guess ?? (await read());
    let isCurrent = guess === undefined;
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const current = this.decode(kv);
      let intent: UpdateIntent;
      try {
        intent = tryUpdate(current);
      } catch (error) {
        if (isCurrent) throw error;
        [kv, isCurrent] = [await read(), true];
        continue;
      }
      const expected = intent.expectedResourceVersion;
      const stored = withoutResourceVersion(intent.object);
      const unchanged = isDeepStrictEqual(stored, withoutResourceVersion(current));
      if (!isCurrent && (unchanged || (expected !== undefined && expected !== String(kv.modRevision)))) {
        [kv, isCurrent] = [await read(), true];
        continue;
      }
      if (expected && expected !== String(kv.modRevision)) throw conflict(info, name);
      if (unchanged) return current;
      if (this.dryRun) return withResourceVersion(stored, kv.modRevision);
      if (deleteOnUpdate(stored)) {
        const gone = await this.deleteGuarded(info, namespace, name, kv.modRevision, signal);
        if (gone !== undefined) return withResourceVersion(stored, gone);
        [kv, isCurrent] = [await read(), true];
      } else {
        const value = JSON.stringify(stored);
        const swapped = await this.etcd.compareAndSwap(key, kv.modRevision, value, { signal });
        if (swapped.succeeded) {
          this.lastKnown?.remember({ ...kv, value, modRevision: swapped.revision, version: kv.version + 1 });
          return withResourceVersion(stored, swapped.revision);
        }
        if (!swapped.current) {
          this.lastKnown?.forget(key);
          throw notFound(info, name);
        }
        [kv, isCurrent] = [swapped.current, true];
        this.lastKnown?.remember(kv);
      }
      if (expected) throw conflict(info, name);
    }
    throw conflict(info, name, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
  }

  /**
   * Deletes an object; one with finalizers, or in a graceful delete's grace period (Pods), is only marked
   * (deletionTimestamp) and returned (graceful-delete.ts). Preconditions mismatching the stored object are a Conflict.
   */
  async delete(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    preconditions: DeletePreconditions,
    signal: AbortSignal,
    graceful?: GracefulDelete,
  ): Promise<DeleteOutcome> {
    const key = storageKey(info, namespace, name);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const { kv } = await this.etcd.get(key, { signal });
      if (!kv) throw notFound(info, name);
      const current = this.decode(kv);
      const meta = metaOf(current);
      if (preconditions.uid && preconditions.uid !== meta.uid) {
        throw conflict(
          info,
          name,
          `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(meta.uid)}`,
        );
      }
      if (preconditions.resourceVersion && preconditions.resourceVersion !== String(kv.modRevision)) {
        throw conflict(
          info,
          name,
          `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${kv.modRevision}`,
        );
      }
      const step = deletionStep(current, graceful);
      if (step.kind === 'keep') return { object: current, deleted: false };
      if (step.kind === 'mark') {
        const marked = withoutResourceVersion(step.object);
        if (this.dryRun) return { object: withResourceVersion(marked, kv.modRevision), deleted: false };
        const value = JSON.stringify(marked);
        const swapped = await this.etcd.compareAndSwap(key, kv.modRevision, value, { signal });
        if (swapped.succeeded) {
          this.lastKnown?.remember({ ...kv, value, modRevision: swapped.revision, version: kv.version + 1 });
          return { object: withResourceVersion(marked, swapped.revision), deleted: false };
        }
        continue;
      }
      if (this.dryRun) return { object: current, deleted: true };
      const revision = await this.deleteGuarded(info, namespace, name, kv.modRevision, signal);
      if (revision !== undefined) return { object: current, deleted: true };
    }
    throw conflict(info, name, `gave up after ${MAX_UPDATE_ATTEMPTS} concurrent modifications`);
  }

  /** Deletes the key if still at `modRevision`; a namespace takes its namespaced objects with it. */
  private async deleteGuarded(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    modRevision: number,
    signal: AbortSignal,
  ): Promise<number | undefined> {
    const key = storageKey(info, namespace, name);
    const cascade: TxnOp[] =
      info === NAMESPACES ? RESOURCES.filter((r) => r.namespaced).map((r) => ({ delete: { key: storageKey(r, name), prefix: true } })) : [];
    const result = await this.etcd.txn(
      { compare: [{ key, target: 'mod', result: 'equal', value: modRevision }], success: [{ delete: { key } }, ...cascade] },
      { signal, operation: `delete ${key} at mod revision ${modRevision}` },
    );
    if (!result.succeeded) return undefined;
    this.lastKnown?.forget(key);
    if (info === NAMESPACES) for (const r of RESOURCES.filter((r) => r.namespaced)) this.lastKnown?.forgetPrefix(storageKey(r, name));
    return result.revision;
  }
}
