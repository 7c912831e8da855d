// A FaultRequest read from JSON sent over the control socket, checked field by field.
import { FAULT_KINDS, type FaultKind, type FaultRequest } from '../../../faults/catalogue.ts';
import { parsePortList, type PortMatch } from '../../../faults/ports.ts';

/** A cut's `ports`: absent, or a list of ports as the scenario format writes them (or {port, protocol}). */
function ports(value: unknown): { readonly ports?: readonly PortMatch[] } {
  if (value === undefined) return {};
  const items = Array.isArray(value)
    ? value.map((v: unknown) =>
        typeof v === 'object' && v !== null
          ? `${String((v as PortMatch).port)}/${String((v as PortMatch).protocol)}`
          : (v as string | number),
      )
    : undefined;
  if (!items) throw new Error(`ports: expected a list of ports, got ${JSON.stringify(value)}`);
  try {
    return { ports: parsePortList(items) };
  } catch (error) {
    throw new Error(`ports: ${(error as Error).message}`);
  }
}

function names(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v.length > 0)) {
    throw new Error(`${field}: expected a non-empty list of node names, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

export function parseFaultRequest(value: unknown): FaultRequest {
  if (typeof value !== 'object' || value === null) throw new Error(`expected a fault request object, got ${JSON.stringify(value)}`);
  const body = value as Record<string, unknown>;
  const kind = body['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) {
    throw new Error(`kind: expected one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  }
  const fault = kind as FaultKind;
  switch (fault) {
    case 'heal':
      return { kind: fault };
    case 'partition': {
      const groups = body['groups'];
      if (!Array.isArray(groups) || groups.length < 2)
        throw new Error(`groups: expected at least two groups of node names, got ${JSON.stringify(groups)}`);
      return { kind: fault, groups: groups.map((g, i) => names(g, `groups[${i}]`)), ...ports(body['ports']) };
    }
    case 'drop':
      return { kind: fault, from: names(body['from'], 'from'), to: names(body['to'], 'to'), ...ports(body['ports']) };
    case 'isolate':
      return { kind: fault, nodes: names(body['nodes'], 'nodes'), ...ports(body['ports']) };
    default:
      return { kind: fault, nodes: names(body['nodes'], 'nodes') };
  }
}
