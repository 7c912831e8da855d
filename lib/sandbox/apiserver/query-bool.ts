// A boolean query parameter as the real API server reads it (k8s.io/apimachinery pkg/runtime/conversion.go,
// Convert_Slice_string_To_bool): absent is false; "0" or "false" in any case is false; anything else, the empty
// string included, is true. So the official Python client's `watch=True` is a watch, as it is on a real cluster.
export function queryBool(params: URLSearchParams, name: string): boolean {
  const value = params.get(name);
  if (value === null) return false;
  return !(value === '0' || value.toLowerCase() === 'false');
}
