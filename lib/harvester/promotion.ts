// The reference promotion policy (Harvester's selectPromoteNode), its explanation, and loading of other policies
// from ES modules so the harness can check alternative or deliberately faulty ones.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { V1Node } from '@kubernetes/client-node';
import { REFERENCE_SELECTION, selectWith } from './selection.ts';
import type { Selection, SelectionOptions } from './selection.ts';
import type { PolicyContext } from './policy-context.ts';

export { REFERENCE_SELECTION, selectWith } from './selection.ts';
export type { Selection, SelectionOptions, SelectionOutcome } from './selection.ts';

/**
 * A promotion policy: given every Node (in list order), the current time and what else it may look at (the nodes'
 * conditions over time, resources, connectivity probes: policy-context.ts), the name of the node to promote.
 * Policies written for two arguments keep working.
 */
export type PromotionPolicy = {
  selectPromoteNode(nodes: readonly V1Node[], now?: Date, context?: PolicyContext): string | undefined;
};
export type SelectPromoteNode = PromotionPolicy['selectPromoteNode'];

/** Harvester's choice. `now` is accepted for the common signature; Harvester's choice does not depend on time. */
export function selectPromoteNode(nodes: readonly V1Node[], _now?: Date): string | undefined {
  return selectWith(nodes, REFERENCE_SELECTION).candidate;
}

/** Harvester's choice and why: the rule that stopped it, or the tier the candidate came from. */
export function explainSelection(nodes: readonly V1Node[], _now?: Date): Selection {
  return selectWith(nodes, REFERENCE_SELECTION);
}

/** A selector that is the reference with some rules switched off (for the deliberately faulty fixtures). */
export function selectorWith(overrides: Partial<SelectionOptions>): SelectPromoteNode {
  const options: SelectionOptions = { ...REFERENCE_SELECTION, ...overrides };
  return (nodes) => selectWith(nodes, options).candidate;
}

async function assertFileExists(absolutePath: string): Promise<void> {
  try {
    const info = await stat(absolutePath);
    if (!info.isFile()) throw new Error(`promotion policy ${absolutePath} is not a file`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`promotion policy not found: ${absolutePath}`);
    throw error;
  }
}

/** Guards a loaded selector so a policy returning something other than a node name fails loudly, naming the file. */
function checkedSelector(select: (...args: unknown[]) => unknown, absolutePath: string): SelectPromoteNode {
  return (nodes, now, context) => {
    let candidate: unknown;
    try {
      candidate = select(nodes, now, context);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`promotion policy ${absolutePath}: selectPromoteNode threw: ${detail}`, { cause: error });
    }
    if (candidate === undefined || typeof candidate === 'string') return candidate;
    throw new Error(`promotion policy ${absolutePath}: selectPromoteNode returned ${typeof candidate}, expected a node name or undefined`);
  };
}

/** A variable, not a literal: the bundled node agent must not inline tsx (it imports tsx's API at run time). */
const TSX_API = 'tsx/esm/api';
/**
 * Where tsx's API is, for a process whose own location does not resolve 'tsx' (the sandbox's bundled node agent,
 * which may be cached outside node_modules): the sandbox sets it to the harness's tsx (lib/sandbox/node-processes.ts).
 */
export const TSX_API_ENV_VAR = 'CPCHAOS_TSX_API';

/**
 * Imports a policy module. A TypeScript one where no TypeScript loader is registered (the compiled package, run from
 * dist/ without tsx; the sandbox's bundled agent) is imported through tsx's API instead, which compiles only the
 * policy and the modules it imports.
 */
async function importPolicy(absolutePath: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(absolutePath).href;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (!/\.[cm]?ts$/.test(absolutePath) || (error as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const api = process.env[TSX_API_ENV_VAR] || TSX_API;
    const { tsImport } = (await import(api)) as { tsImport: (specifier: string, parentUrl: string) => Promise<unknown> };
    return (await tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
}

/**
 * Loads a policy from an ES module (.js, .mjs or .ts; .ts goes through tsx, registered by the CLI from source and by
 * mocha, else loaded through tsx's API) by absolute path or path relative to the working directory. The module must
 * export a function selectPromoteNode.
 */
export async function loadPromotionPolicy(modulePath: string): Promise<PromotionPolicy> {
  const absolutePath = resolve(modulePath);
  await assertFileExists(absolutePath);
  let loaded: Record<string, unknown>;
  try {
    loaded = await importPolicy(absolutePath);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`promotion policy ${absolutePath} failed to load: ${detail}`, { cause: error });
  }
  const select = loaded['selectPromoteNode'];
  if (typeof select !== 'function') {
    throw new Error(`promotion policy ${absolutePath} does not export a function selectPromoteNode (found ${typeof select})`);
  }
  return { selectPromoteNode: checkedSelector(select as (...args: unknown[]) => unknown, absolutePath) };
}
