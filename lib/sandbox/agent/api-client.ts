// A Kubernetes API client that fails over between API servers, as a node's local load balancer does in RKE2.
import { statSync } from 'node:fs';
import { closePooledConnections, plainKubeConfig, statusCodeOf } from '../../util/kubeconfig.ts';
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { readApiEndpoints } from './config.ts';
import { requestWithDeadline, type RequestOptions } from '../../util/api-deadline.ts';

export interface ApiSet {
  readonly server: string;
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
}

/** Tells a polling loop, or a kept list, whether to list now (change-watch.ts). */
export interface ListTrigger {
  /** Whether to list now; a yes counts as the list. */
  listDue(): boolean;
  /** List on the next tick again. */
  listAgain(): void;
}

/**
 * One request (or a few) through `api`: pass `options` to each client-node call (its last argument; a patch's
 * content type goes on top of it, mergePatch(options)), so that past the deadline the request is aborted.
 */
export type ApiCall<T> = (api: ApiSet, options: RequestOptions) => Promise<T>;

/** An answer kept for callers until dropped (answer undefined); a failed one is dropped, so the next caller asks. */
interface AnswerSlot {
  answer?: Promise<unknown>;
}

/** The slot's answer, asked for (`ask`) when it has none; `onFailure` runs when that answer fails. */
function sharedAnswer<T>(slot: AnswerSlot, ask: () => Promise<T>, onFailure?: () => void): Promise<T> {
  if (!slot.answer) {
    const answer = ask();
    slot.answer = answer;
    answer.catch(() => {
      if (slot.answer === answer) slot.answer = undefined;
      onFailure?.();
    });
  }
  return slot.answer as Promise<T>;
}

/** HTTP status of a client-node error, if it has one. */
function isServerSide(error: unknown): boolean {
  const code = statusCodeOf(error);
  return code === undefined || code >= 500;
}

export class FailoverApiClient {
  private readonly sets = new Map<string, ApiSet>();
  private current = 0;

  constructor(
    private readonly endpointsFile: string,
    /** The node's own API server, when it runs one: tried first. */
    private readonly preferred: () => string | undefined,
    private readonly callDeadlineMs: number,
    /** Use the node's own API server only (controllers, like kube-controller-manager with its local apiserver). */
    private readonly localOnly = false,
  ) {}

  private servers(): string[] {
    const own = this.preferred();
    if (this.localOnly) return own ? [own] : [];
    const listed = this.listedServers();
    return own ? [own, ...listed.filter((url) => url !== own)] : listed;
  }

  /** The endpoints file's servers as last read, and what the file was then (statSync). */
  private listed: { readonly version: string; readonly servers: string[] } | undefined;

  /**
   * The servers in the endpoints file. Every call asks (and each watch opening), so the file is read again only when
   * it changed: a stat is cheap, a read and parse on every request is not. The harness rewrites it in place (truncate,
   * write), which changes its size or times, and so is picked up on the next call, as when it was read every time.
   */
  private listedServers(): string[] {
    let version: string;
    try {
      const stat = statSync(this.endpointsFile, { bigint: true });
      version = `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    } catch {
      this.listed = undefined;
      return [];
    }
    if (this.listed?.version !== version) this.listed = { version, servers: readApiEndpoints(this.endpointsFile) };
    return this.listed.servers;
  }

  private apiSet(server: string): ApiSet {
    let set = this.sets.get(server);
    if (!set) {
      const kc = plainKubeConfig(server);
      set = { server, kubeConfig: kc, core: kc.makeApiClient(CoreV1Api), coordination: kc.makeApiClient(CoordinationV1Api) };
      this.sets.set(server, set);
    }
    return set;
  }

  /**
   * Closes every kept-alive connection to every server: the kubelet's onRepeatedHeartbeatFailure (cmd/kubelet/app/
   * server.go sets it to closeAllConns). Through a load balancer that relays each connection to one backend for its
   * life (HAProxy in TCP mode, as kind's), a connection relayed to an API server that answers every request with a 5xx
   * (its etcd member without a leader) would otherwise carry every later request to it; a new one is balanced again.
   */
  closeConnections(): void {
    for (const set of this.sets.values()) closePooledConnections(set.kubeConfig);
  }

  /** The server calls go to first now (the last that answered), for a watch; undefined when none is known. */
  currentSet(): ApiSet | undefined {
    const servers = this.servers();
    const server = servers[this.current % Math.max(1, servers.length)];
    return server === undefined ? undefined : this.apiSet(server);
  }

  /** Lists answered during the current reconcile pass (inPass), by key; undefined outside a pass. */
  private passLists: Map<string, AnswerSlot> | undefined;

  /**
   * Runs one reconcile pass of the controllers. Within it, a list asked for again (same key) is answered from the
   * pass's first answer, as controllers read one informer cache, until any other call — a write may have changed what
   * was listed. Each caller gets its own copy.
   */
  async inPass<T>(run: () => Promise<T>): Promise<T> {
    this.passLists = new Map();
    try {
      return await run();
    } finally {
      this.passLists = undefined;
    }
  }

  /** Lists kept between calls while a watch on their objects saw no change (keepList), by key. */
  private readonly keptLists = new Map<string, AnswerSlot & { readonly trigger: ListTrigger }>();

  /**
   * Keeps the answer of the list named `key` until `trigger` (a ChangeWatch on the same objects) says to list again or
   * any other call goes through this client (a write may have changed it): as controllers read an informer's cache.
   */
  keepList(key: string, trigger: ListTrigger): void {
    this.keptLists.set(key, { trigger });
  }

  /**
   * A list (`key` names the request: resource, namespace, selectors): kept while unchanged (keepList), else shared
   * within a pass, else `call`. Each caller gets its own copy of a kept or shared answer.
   */
  async list<T>(key: string, what: string, call: ApiCall<T>): Promise<T> {
    const ask = (): Promise<T> => this.callOnce(what, call);
    const kept = this.keptLists.get(key);
    if (kept) {
      if (kept.answer && kept.trigger.listDue()) kept.answer = undefined;
      return structuredClone(await sharedAnswer(kept, ask, () => kept.trigger.listAgain()));
    }
    const lists = this.passLists;
    if (!lists) return this.call(what, call);
    let slot = lists.get(key);
    if (!slot) {
      slot = {};
      lists.set(key, slot);
    }
    return structuredClone(await sharedAnswer(slot, ask));
  }

  /**
   * Runs `call` against the current server; on a connection error, a 5xx or no answer within the call deadline (the
   * request is then aborted, its connection closed) tries the next one.
   */
  async call<T>(what: string, call: ApiCall<T>): Promise<T> {
    this.passLists?.clear();
    for (const kept of this.keptLists.values()) kept.answer = undefined;
    return this.callOnce(what, call);
  }

  private async callOnce<T>(what: string, call: ApiCall<T>): Promise<T> {
    const servers = this.servers();
    if (servers.length === 0) throw new Error(`no API server known for ${what}`);
    let lastError: unknown;
    for (let attempt = 0; attempt < servers.length; attempt++) {
      const index = (this.current + attempt) % servers.length;
      const api = this.apiSet(servers[index] as string);
      try {
        const result = await requestWithDeadline(`${what} via ${api.server}`, this.callDeadlineMs, (options) => call(api, options));
        this.current = index;
        return result;
      } catch (error) {
        if (!isServerSide(error)) throw error;
        lastError = error;
      }
    }
    this.current = (this.current + 1) % servers.length;
    throw lastError;
  }
}
