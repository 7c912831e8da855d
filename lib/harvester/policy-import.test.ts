// A process whose own location does not resolve 'tsx' (the sandbox's bundled node agent, which may be cached outside
// node_modules, run without tsx's loader) imports a TypeScript promotion policy through the tsx API that
// CPCHAOS_TSX_API names (lib/sandbox/node-processes.ts sets it for every agent).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { build } from 'esbuild';
import { TSX_API_ENV_VAR } from './promotion.ts';

const PROMOTION_MODULE = fileURLToPath(new URL('./promotion.ts', import.meta.url));
const POLICY = fileURLToPath(new URL('../../fixtures/policies/faulty-ignores-zones.ts', import.meta.url));

function runNode(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, POLICY], { env, cwd: tmpdir(), timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('importing a TypeScript promotion policy without tsx registered', function () {
  this.timeout(120_000);
  let dir: string;
  let script: string;
  const env = { ...process.env };
  delete env['NODE_OPTIONS'];
  delete env[TSX_API_ENV_VAR];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cpchaos-policy-import-'));
    script = join(dir, 'load-policy.mjs');
    // Bundled like the node agent, into a folder with no node_modules above it.
    await build({
      stdin: {
        contents: `import { loadPromotionPolicy } from ${JSON.stringify(PROMOTION_MODULE)};
const policy = await loadPromotionPolicy(process.argv[2]);
console.log('loaded, choice over no nodes: ' + String(policy.selectPromoteNode([])));`,
        resolveDir: dir,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: script,
      logLevel: 'silent',
    });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads it through the tsx API named by CPCHAOS_TSX_API', async () => {
    const result = await runNode(script, { ...env, [TSX_API_ENV_VAR]: import.meta.resolve('tsx/esm/api') });
    expect(result, result.output).to.deep.include({ code: 0 });
    expect(result.output).to.include('loaded, choice over no nodes: undefined');
  });

  it("fails naming the policy when 'tsx' cannot be resolved from there and the variable is not set", async () => {
    const result = await runNode(script, env);
    expect(result.code).to.not.equal(0);
    expect(result.output).to.include(`promotion policy ${POLICY} failed to load`);
  });
});
