// Small accessors over objects as plain JSON. Objects arrive from clients: trust nothing about their shape.

export type KubeObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, even "__proto__", without touching the prototype chain. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The object's metadata, created (as an own property) if missing or not an object. */
export function metaOf(obj: KubeObject): Record<string, unknown> {
  const meta = obj.metadata;
  if (isPlainObject(meta)) return meta;
  const fresh: Record<string, unknown> = {};
  setOwn(obj, 'metadata', fresh);
  return fresh;
}

export function stringField(obj: Record<string, unknown>, key: string): string | undefined {
  const value = obj[key];
  return typeof value === 'string' ? value : undefined;
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  const labels = isPlainObject(obj.metadata) ? obj.metadata.labels : undefined;
  if (!isPlainObject(labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function finalizersOf(obj: KubeObject): string[] {
  const finalizers = isPlainObject(obj.metadata) ? obj.metadata.finalizers : undefined;
  return Array.isArray(finalizers) ? finalizers.filter((f): f is string => typeof f === 'string') : [];
}

/** Reads a nested field by path; undefined when any step is missing. */
export function fieldAt(obj: unknown, path: readonly string[]): unknown {
  let current: unknown = obj;
  for (const step of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[step];
  }
  return current;
}

/** RFC 3339 at second precision, as Kubernetes writes metav1.Time. */
export function nowTimestamp(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
