// KubeVirt's virt-api subresources (subresources.kubevirt.io/v1) over the stored VirtualMachines and
// VirtualMachineInstances (kubevirt.io/v1, in resources.ts): PUT .../virtualmachines/<name>/start|stop|restart and
// .../virtualmachineinstances/<name>/pause|unpause. No virt-controller or virt-handler runs here, so each call does at
// once what they would end up doing: start sets spec.running (or runStrategy Always) and creates a Running VMI, stop
// clears it and deletes the VMI, restart replaces the VMI (new uid), pause/unpause add/remove the VMI's Paused
// condition. "Already so" answers 409 Conflict with virt-api's messages; success is 202 Accepted without a body.
import { isDeepStrictEqual } from 'node:util';
import { parseJson, readBody } from './http-io.ts';
import { cloneJson, fieldAt, isPlainObject, metaOf, nowTimestamp, setOwn, stringField, type KubeObject } from './object-meta.ts';
import type { RequestContext } from './request-context.ts';
import { findResource, type ResourceInfo } from './resources.ts';
import { ApiError, badRequest, conflict, invalid, methodNotAllowed } from './status.ts';
import { prepareForCreate } from './strategy.ts';

export const KUBEVIRT_SUBRESOURCES = { group: 'subresources.kubevirt.io', version: 'v1' } as const;

const VM_ACTIONS = ['start', 'stop', 'restart'] as const;
const VMI_ACTIONS = ['pause', 'unpause'] as const;
export type KubevirtAction = (typeof VM_ACTIONS)[number] | (typeof VMI_ACTIONS)[number];

export interface KubevirtActionRoute {
  readonly kind: 'kubevirtAction';
  readonly namespace: string;
  readonly name: string;
  readonly action: KubevirtAction;
}

const VMS = findResource('kubevirt.io', 'v1', 'virtualmachines') as ResourceInfo;
const VMIS = findResource('kubevirt.io', 'v1', 'virtualmachineinstances') as ResourceInfo;
/** As virt-api names them in Conflicts (v1.Resource("virtualmachine")): virtualmachine.kubevirt.io "x". */
const VM_CONFLICT = { group: 'kubevirt.io', resource: 'virtualmachine' };
const VMI_CONFLICT = { group: 'kubevirt.io', resource: 'virtualmachineinstance' };

/** The route of a path below /apis/subresources.kubevirt.io/<version>/, or undefined when it names no action. */
export function kubevirtActionRoute(version: string, rest: readonly string[]): KubevirtActionRoute | undefined {
  const [namespaces, namespace, kind, name, action, ...extra] = rest;
  if (version !== KUBEVIRT_SUBRESOURCES.version || namespaces !== 'namespaces' || !namespace || !name || !action || extra.length > 0)
    return undefined;
  const actions: readonly string[] = kind === 'virtualmachines' ? VM_ACTIONS : kind === 'virtualmachineinstances' ? VMI_ACTIONS : [];
  return actions.includes(action) ? { kind: 'kubevirtAction', namespace, name, action: action as KubevirtAction } : undefined;
}

/** The APIResourceList of subresources.kubevirt.io/v1 (the actions only). */
export function kubevirtSubresourceList(): Record<string, unknown> {
  const entry = (resource: string, action: string, kind: string): Record<string, unknown> => ({
    name: `${resource}/${action}`,
    singularName: '',
    namespaced: true,
    kind,
    verbs: ['update'],
  });
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: `${KUBEVIRT_SUBRESOURCES.group}/${KUBEVIRT_SUBRESOURCES.version}`,
    resources: [
      ...VM_ACTIONS.map((a) => entry('virtualmachines', a, 'VirtualMachine')),
      ...VMI_ACTIONS.map((a) => entry('virtualmachineinstances', a, 'VirtualMachineInstance')),
    ],
  };
}

type RunStrategy = 'Always' | 'Halted' | 'Manual' | 'RerunOnFailure' | 'Once';
const RUN_STRATEGIES: readonly string[] = ['Always', 'Halted', 'Manual', 'RerunOnFailure', 'Once'];

/** The VM's run strategy: spec.running true/false is Always/Halted; neither set is Halted. */
function runStrategyOf(vm: KubeObject): RunStrategy {
  const running = fieldAt(vm, ['spec', 'running']);
  if (typeof running === 'boolean') return running ? 'Always' : 'Halted';
  const strategy = fieldAt(vm, ['spec', 'runStrategy']);
  if (strategy === undefined) return 'Halted';
  if (typeof strategy === 'string' && RUN_STRATEGIES.includes(strategy)) return strategy as RunStrategy;
  throw invalid('VirtualMachine', stringField(metaOf(vm), 'name') ?? '', [
    { field: 'spec.runStrategy', message: `Unsupported value: ${JSON.stringify(strategy)}` },
  ]);
}

function conditionsOf(obj: KubeObject): Record<string, unknown>[] {
  const conditions = fieldAt(obj, ['status', 'conditions']);
  return Array.isArray(conditions) ? conditions.filter(isPlainObject) : [];
}

function isPaused(vmi: KubeObject): boolean {
  return conditionsOf(vmi).some((c) => c.type === 'Paused' && c.status === 'True');
}

function statusOf(obj: KubeObject): Record<string, unknown> {
  const status = isPlainObject(obj.status) ? obj.status : {};
  setOwn(obj, 'status', status);
  return status;
}

/** The VM's status as virt-controller keeps it, from its VMI (undefined: none). */
function vmStatusFor(vmi: KubeObject | undefined): Record<string, unknown> {
  if (!vmi) return { created: false, ready: false, printableStatus: 'Stopped' };
  return { created: true, ready: true, printableStatus: isPaused(vmi) ? 'Paused' : 'Running' };
}

/** A Running VMI for the VM, as virt-controller creates it from spec.template. */
function vmiFor(vm: KubeObject, namespace: string, name: string): KubeObject {
  const template = fieldAt(vm, ['spec', 'template']);
  const templateMeta = isPlainObject(template) && isPlainObject(template.metadata) ? template.metadata : {};
  const spec = isPlainObject(template) && isPlainObject(template.spec) ? template.spec : {};
  const vmi: KubeObject = {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: {
      name,
      namespace,
      ...(isPlainObject(templateMeta.labels) ? { labels: templateMeta.labels } : {}),
      ...(isPlainObject(templateMeta.annotations) ? { annotations: templateMeta.annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachine',
          name,
          uid: stringField(metaOf(vm), 'uid') ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: cloneJson(spec),
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() }] },
  };
  return prepareForCreate(VMIS, vmi, name, namespace);
}

class Actions {
  constructor(
    private readonly ctx: RequestContext,
    private readonly namespace: string,
    private readonly name: string,
  ) {}

  private async vmi(): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.store.get(VMIS, this.namespace, this.name, this.ctx.signal);
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) return undefined;
      throw error;
    }
  }

  private async createVmi(vm: KubeObject): Promise<void> {
    await this.ctx.store.create(VMIS, this.namespace, vmiFor(vm, this.namespace, this.name), this.ctx.signal);
  }

  private async deleteVmi(vmi: KubeObject): Promise<void> {
    try {
      await this.ctx.store.delete(VMIS, this.namespace, this.name, { uid: stringField(metaOf(vmi), 'uid') }, this.ctx.signal);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }

  /** Stores the VM with `running` applied to its spec (when given) and its status from the current VMI. */
  private async writeVm(running: boolean | undefined): Promise<void> {
    const vmi = await this.vmi();
    await this.ctx.store.update(
      VMS,
      this.namespace,
      this.name,
      (current) => {
        const next = cloneJson(current);
        if (running !== undefined) {
          const spec = isPlainObject(next.spec) ? next.spec : {};
          setOwn(next, 'spec', spec);
          if (typeof spec.running === 'boolean') spec.running = running;
          else spec.runStrategy = running ? 'Always' : 'Halted';
          const meta = metaOf(next);
          const generation = typeof meta.generation === 'number' ? meta.generation : 1;
          meta.generation = isDeepStrictEqual(current.spec, next.spec) ? generation : generation + 1;
        }
        Object.assign(statusOf(next), vmStatusFor(vmi));
        return { object: next };
      },
      this.ctx.signal,
    );
  }

  async start(): Promise<void> {
    const vm = await this.ctx.store.get(VMS, this.namespace, this.name, this.ctx.signal);
    const vmi = await this.vmi();
    const strategy = runStrategyOf(vm);
    if (strategy === 'Always' || strategy === 'Once' || (vmi && strategy !== 'Halted')) {
      throw conflict(VM_CONFLICT, this.name, 'VM is already running');
    }
    if (!vmi) await this.createVmi(vm);
    await this.writeVm(strategy === 'Halted' ? true : undefined);
  }

  async stop(): Promise<void> {
    const vm = await this.ctx.store.get(VMS, this.namespace, this.name, this.ctx.signal);
    const vmi = await this.vmi();
    const strategy = runStrategyOf(vm);
    if (!vmi && strategy !== 'Always' && strategy !== 'Once') throw conflict(VM_CONFLICT, this.name, 'VM is not running');
    if (vmi) await this.deleteVmi(vmi);
    await this.writeVm(strategy === 'Always' || strategy === 'Once' ? false : undefined);
  }

  async restart(): Promise<void> {
    const vm = await this.ctx.store.get(VMS, this.namespace, this.name, this.ctx.signal);
    if (runStrategyOf(vm) === 'Halted') throw conflict(VM_CONFLICT, this.name, 'Halted does not support manual restart requests');
    const vmi = await this.vmi();
    if (!vmi) throw conflict(VM_CONFLICT, this.name, 'VM is not running');
    await this.deleteVmi(vmi);
    await this.createVmi(vm);
    await this.writeVm(undefined);
  }

  async pause(paused: boolean): Promise<void> {
    const updated = await this.ctx.store.update(
      VMIS,
      this.namespace,
      this.name,
      (current) => {
        if (paused && fieldAt(current, ['status', 'phase']) !== 'Running') throw conflict(VMI_CONFLICT, this.name, 'VMI is not running');
        if (paused && isPaused(current)) throw conflict(VMI_CONFLICT, this.name, 'VMI is already paused');
        if (!paused && !isPaused(current)) throw conflict(VMI_CONFLICT, this.name, 'VMI is not paused');
        const next = cloneJson(current);
        const conditions = conditionsOf(next).filter((c) => c.type !== 'Paused');
        if (paused) {
          conditions.push({
            type: 'Paused',
            status: 'True',
            reason: 'PausedByUser',
            message: 'VMI was paused by user',
            lastProbeTime: null,
            lastTransitionTime: nowTimestamp(),
          });
        }
        statusOf(next).conditions = conditions;
        return { object: next };
      },
      this.ctx.signal,
    );
    // The owning VM shows it (printableStatus Paused/Running), as virt-controller would.
    const owner = fieldAt(updated, ['metadata', 'ownerReferences']);
    if (Array.isArray(owner) && owner.some((o) => isPlainObject(o) && o.kind === 'VirtualMachine' && o.name === this.name)) {
      try {
        await this.writeVm(undefined);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
  }
}

/** Serves one action: PUT only, body empty or a JSON object (stop's gracePeriod and the like are accepted and ignored). */
export async function handleKubevirtAction(ctx: RequestContext, route: KubevirtActionRoute): Promise<void> {
  const method = ctx.req.method ?? 'GET';
  const kind = route.action === 'pause' || route.action === 'unpause' ? 'virtualmachineinstances' : 'virtualmachines';
  if (method !== 'PUT')
    throw methodNotAllowed(`the server does not allow this method on the requested resource (${method} ${kind}/${route.action})`);
  const raw = await readBody(ctx.req, ctx.signal);
  if (raw.length > 0 && !isPlainObject(parseJson(raw))) throw badRequest('the request body must be a JSON object');
  const actions = new Actions(ctx, route.namespace, route.name);
  switch (route.action) {
    case 'start':
      await actions.start();
      break;
    case 'stop':
      await actions.stop();
      break;
    case 'restart':
      await actions.restart();
      break;
    case 'pause':
    case 'unpause':
      await actions.pause(route.action === 'pause');
      break;
  }
  ctx.res.statusCode = 202;
  ctx.res.setHeader('Content-Length', 0);
  ctx.res.end();
}
