// The etcd view of an existing cluster: the executors file's `etcd.command` prints the members and the leader as
// JSON, {"members":[{"name":"n1","id":"8e9e05c52164694d"}],"leader":"n1"}; this runs it and checks what it printed.
import type { EtcdMembership } from '../../../model/cluster.ts';
import { run } from '../../../util/exec.ts';
import type { EtcdCommandSettings } from './config-types.ts';
import { formatArgv, renderTemplate } from './template.ts';

/** Runs argv and returns its stdout; replaceable in tests. */
export type OutputRunner = (file: string, args: readonly string[], options: { readonly timeoutMs: number }) => Promise<string>;

export function parseEtcdMembership(text: string, source: string): EtcdMembership {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} did not print JSON: ${text.slice(0, 200)}`);
  }
  const body = value as { members?: unknown; leader?: unknown };
  const members = body.members;
  if (
    !Array.isArray(members) ||
    !members.every((m) => typeof (m as { name?: unknown }).name === 'string' && typeof (m as { id?: unknown }).id === 'string')
  ) {
    throw new Error(`${source}: expected {"members":[{"name":...,"id":...}],"leader":...}, got ${text.slice(0, 200)}`);
  }
  if (body.leader !== undefined && body.leader !== null && typeof body.leader !== 'string') {
    throw new Error(`${source}: "leader" must be a member name, got ${JSON.stringify(body.leader)}`);
  }
  return {
    members: (members as { name: string; id: string }[]).map((m) => ({ name: m.name, id: m.id })),
    ...(typeof body.leader === 'string' && body.leader.length > 0 ? { leader: body.leader } : {}),
  };
}

export async function readEtcdMembership(settings: EtcdCommandSettings, runner: OutputRunner = run): Promise<EtcdMembership> {
  const [file = '', ...args] = renderTemplate(settings.run, { node: { name: '' } });
  const stdout = await runner(file, args, { timeoutMs: settings.timeoutMs });
  return parseEtcdMembership(stdout, `etcd command \`${formatArgv([file, ...args])}\``);
}
