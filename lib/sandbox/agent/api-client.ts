// A Kubernetes API client that fails over between API servers, as a node's local load balancer does in RKE2.
import { plainKubeConfig, statusCodeOf } from '../../util/kubeconfig.ts';
import { CoordinationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { readApiEndpoints } from './config.ts';
import { withDeadline } from '../../util/wait.ts';

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
    const listed = readApiEndpoints(this.endpointsFile);
    return own ? [own, ...listed.filter((url) => url !== own)] : listed;
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

  /** The server calls go to first now (the last that answered), for a watch; undefined when none is known. */
  currentSet(): ApiSet | undefined {
    const servers = this.servers();
    const server = servers[this.current % Math.max(1, servers.length)];
    return server === undefined ? undefined : this.apiSet(server);
  }

  /** Lists answered during the current reconcile pass (inPass), by key; undefined outside a pass. */
  private passLists: Map<string, Promise<unknown>> | undefined;

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
  private readonly keptLists = new Map<string, { readonly trigger: ListTrigger; answer?: Promise<unknown> }>();

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
  async list<T>(key: string, what: string, call: (api: ApiSet) => Promise<T>): Promise<T> {
    const kept = this.keptLists.get(key);
    if (kept) {
      if (!kept.answer || kept.trigger.listDue()) {
        const answer = this.callOnce(what, call);
        kept.answer = answer;
        answer.catch(() => {
          if (kept.answer === answer) kept.answer = undefined;
          kept.trigger.listAgain();
        });
      }
      return structuredClone((await kept.answer) as T);
    }
    const lists = this.passLists;
    if (!lists) return this.call(what, call);
    let answer = lists.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = this.callOnce(what, call);
      lists.set(key, answer);
      answer.catch(() => lists.delete(key));
    }
    return structuredClone(await answer);
  }

  /** Runs `call` against the current server; on a connection error or a 5xx tries the next one. */
  async call<T>(what: string, call: (api: ApiSet) => Promise<T>): Promise<T> {
    this.passLists?.clear();
    for (const kept of this.keptLists.values()) kept.answer = undefined;
    return this.callOnce(what, call);
  }

  private async callOnce<T>(what: string, call: (api: ApiSet) => Promise<T>): Promise<T> {
    const servers = this.servers();
    if (servers.length === 0) throw new Error(`no API server known for ${what}`);
    let lastError: unknown;
    for (let attempt = 0; attempt < servers.length; attempt++) {
      const index = (this.current + attempt) % servers.length;
      const api = this.apiSet(servers[index] as string);
      try {
        const result = await withDeadline(`${what} via ${api.server}`, this.callDeadlineMs, () => call(api));
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
