// Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource quantity.go): a decimal number with a binary
// suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal one (m, k, M, G, T, P, E) or an exponent (1e9). As a number of units.

const SCALE: Readonly<Record<string, number>> = {
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
};

/** 4, 3500m, 8Gi, 16384Ki, 1G, 1e9, 1Pi as a number; undefined for anything else (a negative value too). */
export function parseQuantity(text: string): number | undefined {
  const match = /^\+?([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:([eE][0-9]+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(`${match[1]}${match[2] ?? ''}`);
  if (!Number.isFinite(value)) return undefined;
  return match[3] ? value * (SCALE[match[3]] ?? 1) : value;
}
