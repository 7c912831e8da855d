// An eviction's PodDisruptionBudget check, as kube-apiserver's pkg/registry/core/pod/storage/eviction.go does it:
// a pod that is not running yet, finished or already being deleted is evicted without a look at budgets
// (canIgnorePDB); otherwise the budgets of its namespace whose selector matches it decide: none, evict; more than
// one, 500; one, checkAndDecrement: refused with 429 while the budget's status is not processed (observedGeneration
// behind generation) or allows no disruption, else disruptionsAllowed is decremented and the pod recorded in
// disruptedPods before it is deleted. The sandbox runs no disruption controller: only what a client wrote through
// /status counts. Not modelled: unhealthyPodEvictionPolicy (a running pod that is not ready).
import { fieldAt, isPlainObject, labelsOf, metaOf, nowTimestamp, setOwn, stringField, type KubeObject } from './object-meta.ts';
import { matchesLabels, type LabelOperator, type LabelRequirement } from './label-selector.ts';
import type { RequestContext } from './request-context.ts';
import { findResource, type ResourceInfo } from './resources.ts';
import { ApiError, internal } from './status.ts';

const PDBS = findResource('policy', 'v1', 'poddisruptionbudgets') as ResourceInfo;

const OPERATORS: Readonly<Record<string, LabelOperator>> = { In: 'in', NotIn: 'notIn', Exists: 'exists', DoesNotExist: 'doesNotExist' };

/** A metav1.LabelSelector as requirements; undefined for one this server cannot read (it then selects nothing). */
function requirementsOf(selector: unknown): LabelRequirement[] | undefined {
  if (!isPlainObject(selector)) return undefined;
  const requirements: LabelRequirement[] = [];
  if (isPlainObject(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels))
      requirements.push({ key, operator: 'equals', values: [String(value)] });
  }
  for (const expression of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const operator = isPlainObject(expression) ? OPERATORS[String(expression.operator)] : undefined;
    if (!isPlainObject(expression) || !operator || typeof expression.key !== 'string') return undefined;
    const values = Array.isArray(expression.values) ? expression.values.map(String) : [];
    requirements.push({ key: expression.key, operator, values });
  }
  return requirements;
}

/** policy/v1: an empty selector selects every pod of the namespace; a missing one selects none. */
function selects(pdb: KubeObject, pod: KubeObject): boolean {
  const requirements = requirementsOf(fieldAt(pdb, ['spec', 'selector']));
  return requirements !== undefined && matchesLabels(requirements, labelsOf(pod));
}

function canIgnoreBudgets(pod: KubeObject): boolean {
  const phase = fieldAt(pod, ['status', 'phase']);
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(fieldAt(pod, ['metadata', 'deletionTimestamp']));
}

function tooManyRequests(cause: string): ApiError {
  return new ApiError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    causes: [{ reason: 'DisruptionBudget', message: cause }],
  });
}

const numberAt = (obj: KubeObject, path: readonly string[]): number => {
  const value = fieldAt(obj, path);
  return typeof value === 'number' ? value : 0;
};

/** The budget's status after this eviction, or the refusal (checkAndDecrement). */
function decremented(pdb: KubeObject, podName: string, now: Date): KubeObject {
  const name = stringField(metaOf(pdb), 'name') ?? '';
  if (numberAt(pdb, ['status', 'observedGeneration']) < numberAt(pdb, ['metadata', 'generation'])) {
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = numberAt(pdb, ['status', 'disruptionsAllowed']);
  if (allowed < 0) throw new ApiError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (allowed === 0) {
    const desired = numberAt(pdb, ['status', 'desiredHealthy']);
    const current = numberAt(pdb, ['status', 'currentHealthy']);
    throw tooManyRequests(`The disruption budget ${name} needs ${desired} healthy pods and has ${current} currently`);
  }
  const status = isPlainObject(pdb.status) ? { ...pdb.status } : {};
  const disrupted = isPlainObject(status.disruptedPods) ? status.disruptedPods : {};
  status.disruptionsAllowed = allowed - 1;
  status.disruptedPods = { ...disrupted, [podName]: nowTimestamp(now) };
  const next = { ...pdb };
  setOwn(next, 'status', status);
  return next;
}

/** Checks (and spends) the budget covering `pod` before its eviction; throws the refusal. */
export async function checkDisruptionBudget(ctx: RequestContext, namespace: string | undefined, pod: KubeObject): Promise<void> {
  if (canIgnoreBudgets(pod)) return;
  const budgets = (await ctx.store.list(PDBS, namespace, {}, ctx.signal)).items.filter((pdb) => selects(pdb, pod));
  if (budgets.length === 0) return;
  if (budgets.length > 1)
    throw internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  const podName = stringField(metaOf(pod), 'name') ?? '';
  const budgetName = stringField(metaOf(budgets[0] as KubeObject), 'name') ?? '';
  const now = new Date();
  await ctx.store.update(PDBS, namespace, budgetName, (current) => ({ object: decremented(current, podName, now) }), ctx.signal);
}
