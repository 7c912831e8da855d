import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { renderScenarioJsonSchema, scenarioJsonSchema } from './schema.ts';
import { INVARIANT_NAMES } from './types.ts';
import { SCHEMA_FILE } from './write-json-schema.ts';

type Json = { readonly [key: string]: unknown };
const asJson = (value: unknown): Json => value as Json;

const STEP_KINDS = [
  'kill',
  'restart',
  'pause',
  'resume',
  'memory-pressure',
  'relieve',
  'isolate',
  'partition',
  'drop',
  'heal',
  'delete-node',
  'remove-host',
  'rejoin',
  'cordon',
  'uncordon',
  'label',
  'annotate',
  'hold',
  'wait',
  'check',
];

describe('scenario/schema (JSON Schema)', () => {
  it('is committed up to date: run `node --import tsx lib/scenario/write-json-schema.ts` after changing the schema', async () => {
    const committed = await readFile(SCHEMA_FILE, 'utf8');
    expect(committed === renderScenarioJsonSchema(), 'schema/scenario.schema.json is stale').to.equal(true);
  });

  it('renders deterministically, as 2-space JSON with a trailing newline', () => {
    const text = renderScenarioJsonSchema();
    expect(renderScenarioJsonSchema()).to.equal(text);
    expect(text.endsWith('}\n')).to.equal(true);
    expect(text.split('\n')[1]).to.match(/^ {2}"\$schema": "https:\/\/json-schema\.org\/draft\/2020-12\/schema",$/);
  });

  it('describes the document: required keys, closed objects, sorted $defs', () => {
    const schema = asJson(scenarioJsonSchema());
    expect(schema['required']).to.deep.equal(['name', 'steps']);
    expect(schema['additionalProperties']).to.equal(false);
    const defs = Object.keys(asJson(schema['$defs']));
    expect(defs).to.deep.equal([...defs].sort());
    expect(defs).to.include.members(['duration', 'selector', 'step', 'targets']);
  });

  it('has one documented branch per step kind', () => {
    const step = asJson(asJson(scenarioJsonSchema()['$defs'])['step']);
    const branches = step['oneOf'] as Json[];
    expect(branches.map((b) => b['title'])).to.deep.equal(STEP_KINDS);
    for (const branch of branches) {
      expect(branch['description'], String(branch['title'])).to.contain('Example: ');
      expect(branch['additionalProperties']).to.equal(false);
      expect((branch['required'] as string[])[0]).to.equal(branch['title']);
    }
  });

  it('lists every invariant, as a name and as an object with options', () => {
    const invariants = asJson(asJson(scenarioJsonSchema()['properties'])['invariants']);
    const text = JSON.stringify(invariants);
    for (const name of INVARIANT_NAMES) expect(text).to.contain(`"${name}"`);
    expect(invariants['default']).to.equal('all');
  });

  it('gives every property a title, a description or a reference (editor help)', () => {
    const missing: string[] = [];
    const walk = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((child, i) => walk(child, `${where}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const json = asJson(node);
      const properties = json['properties'];
      if (typeof properties === 'object' && properties !== null) {
        for (const [key, value] of Object.entries(properties)) {
          const property = asJson(value);
          if (property['title'] === undefined && property['description'] === undefined && property['$ref'] === undefined)
            missing.push(`${where}.${key}`);
        }
      }
      for (const [key, value] of Object.entries(json)) walk(value, `${where}/${key}`);
    };
    walk(scenarioJsonSchema(), '#');
    expect(missing).to.deep.equal([]);
  });

  it('agrees with the loader on examples (when a JSON Schema validator is available)', function () {
    // ajv is not a dependency of cpchaos; eslint brings ajv 6 (draft-07, which ignores 2020-12's
    // $schema URI once removed, and resolves #/$defs pointers). Skip when it is absent.
    let Ajv: new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
    try {
      Ajv = createRequire(import.meta.url)('ajv') as typeof Ajv;
    } catch {
      this.skip();
    }
    const schema: Record<string, unknown> = { ...scenarioJsonSchema() };
    delete schema['$schema'];
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const valid = [
      'name: a\nsteps: [{ hold: 5s }]',
      'name: b\ncluster: { controlPlanes: 3, workers: 2, sandbox: { x: 1 } }\nsteps:\n  - kill: "control-plane[0], worker[1]"\n    as: v\n  - wait: { node: $v, ready: Unknown, timeout: 20s }\n  - partition: control-plane[0] | control-plane[1], control-plane[2]\n  - drop: { from: "control-plane[0]", to: ["worker[0]"] }\n  - heal: all\n  - delete-node: { target: "$v", forceFinalizers: true }\n  - label: { target: $v, labels: { a: b, c: null } }\n  - check: { roles: { "control-plane[0]": control-plane }, nodeReady: { node: $v, ready: true } }\nexpect: { promoted: none, managementCount: 3 }\ninvariants: [no-lost-writes, { quorum-survives: { budget: 4s } }, { quorum-lost: }]',
    ];
    for (const text of valid) expect(validate(parse(text)), `${text}\n${JSON.stringify(validate.errors)}`).to.equal(true);
    const invalid = [
      'steps: [{ hold: 5s }]',
      'name: a\nsteps: [{ hold: 5 }]',
      'name: a\nsteps: [{ hold: "5 sec" }]',
      'name: a\nsteps: [{ kil: x }]',
      'name: a\nsteps: [{ kill: x, hold: 1s }]',
      'name: a\nsteps: [{ wait: { api: writable } }]',
      'name: a\ncluster: { workers: -1 }\nsteps: [{ hold: 1s }]',
      'name: a\ndescripton: x\nsteps: [{ hold: 1s }]',
      'name: a\nsteps: [{ kill: "cp[0]" }]',
      'name: a\ninvariants: [nope]\nsteps: [{ hold: 1s }]',
    ];
    for (const text of invalid) expect(validate(parse(text)), text).to.equal(false);
  });
});
