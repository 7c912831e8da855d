// Server-side dry run: `dryRun=All` on create, update, patch and delete (and their status subresource) runs every
// step of the write — decoding, defaulting, validation, admission, the storage's existence and precondition checks —
// and answers with the object the write would have produced, storing nothing (ObjectStore.asDryRun).
//
// Which values are allowed is kube-apiserver's: apimachinery pkg/apis/meta/v1/validation ValidateDryRun accepts only
// "All" (metav1.DryRunAll), and the handlers (apiserver pkg/endpoints/handlers create.go, update.go, patch.go,
// delete.go) answer anything else with errors.NewInvalid(meta.k8s.io/<Kind>Options, "", errs): a 422, e.g.
//   CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["Yes"]: supported values: "All"
// A DELETE reads its DeleteOptions from the body when there is one, else from the query (delete.go).
import { isPlainObject } from './object-meta.ts';
import { ApiError, badRequest } from './status.ts';

export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

export const DRY_RUN_ALL = 'All';

/** The options kind a write method's parameters decode into (undefined for reads). */
export function optionsKindOf(method: string): OptionsKind | undefined {
  switch (method) {
    case 'POST':
      return 'CreateOptions';
    case 'PUT':
      return 'UpdateOptions';
    case 'PATCH':
      return 'PatchOptions';
    case 'DELETE':
      return 'DeleteOptions';
    default:
      return undefined;
  }
}

/** field.NotSupported(dryRun, values, ["All"]) wrapped in errors.NewInvalid of the options kind. */
function unsupportedDryRun(kind: OptionsKind, values: readonly string[]): ApiError {
  const body = `Unsupported value: ${JSON.stringify(values)}: supported values: "${DRY_RUN_ALL}"`;
  return new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: dryRun: ${body}`, {
    group: 'meta.k8s.io',
    kind,
    causes: [{ reason: 'FieldValueNotSupported', message: body, field: 'dryRun' }],
  });
}

/** Whether these dryRun values ask for a dry run: none is a real write, only "All" a dry run, anything else a 422. */
export function dryRunOf(values: readonly string[], kind: OptionsKind): boolean {
  if (values.some((v) => v !== DRY_RUN_ALL)) throw unsupportedDryRun(kind, values);
  return values.length > 0;
}

/** The dryRun query parameters of a write (?dryRun=All, repeatable). */
export function queryDryRun(params: URLSearchParams, kind: OptionsKind): boolean {
  return dryRunOf(params.getAll('dryRun'), kind);
}

/** A DELETE's dryRun: from the DeleteOptions body when one was sent, else from the query. */
export function deleteDryRun(body: unknown, params: URLSearchParams): boolean {
  if (body === undefined) return queryDryRun(params, 'DeleteOptions');
  const value = isPlainObject(body) ? body.dryRun : undefined;
  if (value === undefined || value === null) return false;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw badRequest('json: cannot unmarshal DeleteOptions.dryRun: expected an array of strings');
  }
  return dryRunOf(value as string[], 'DeleteOptions');
}
