// The Terraform value resolver: what an expression can be, from the files of one module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Configuration } from '../src/terraform/configuration.ts';
import { fixableLiteral, toSetting } from '../src/terraform/settings.ts';
import { Evaluator, type Outcome } from '../src/terraform/values.ts';
import { getParser } from '../src/tree-sitter.ts';

interface Summary {
  readonly values: string[];
  readonly unknown: string[];
  readonly branched: boolean;
  readonly fromInput: boolean;
  readonly fixable?: string;
}

function summarise(outcome: Outcome, config: Configuration): Summary {
  const values = outcome.alternatives.map((v) => {
    if (v.kind === 'string' || v.kind === 'number' || v.kind === 'bool') return v.value;
    if (v.kind === 'absent') return `<absent: ${v.reason}>`;
    return `<${v.kind}>`;
  });
  const literal = config.files.map((f) => fixableLiteral(outcome, f)).find((l) => l !== undefined);
  return {
    values,
    unknown: [...outcome.unknown],
    branched: outcome.branched,
    fromInput: outcome.fromInput,
    ...(literal ? { fixable: `${literal.file.file}:${literal.node.text}` } : {}),
  };
}

/** Evaluates `local.<name>` in a module made of `files` (name → text). */
async function local(files: Record<string, string>, name = 'x'): Promise<Summary> {
  const parser = await getParser('terraform');
  const config = new Configuration(
    Object.entries(files).map(([file, text]) => ({ path: `/module/${file}`, file, text })),
    parser,
  );
  try {
    return summarise(new Evaluator(config).local(name, config.files[0]), config);
  } finally {
    config.dispose();
  }
}

describe('terraform values: literals', () => {
  it('reads strings, numbers, booleans and escapes', async () => {
    assert.deepEqual((await local({ 'main.tf': 'locals { x = "required" }' })).values, ['required']);
    assert.deepEqual((await local({ 'main.tf': 'locals { x = 2 }' })).values, ['2']);
    assert.deepEqual((await local({ 'main.tf': 'locals { x = true }' })).values, ['true']);
    assert.deepEqual((await local({ 'main.tf': 'locals { x = "a\\"b\\u0041$${x}" }' })).values, ['a"bA${x}']);
    assert.deepEqual((await local({ 'main.tf': 'locals { x = null }' })).values, ['<null>']);
  });

  it('marks a plain literal as fixable where it is written', async () => {
    const result = await local({ 'main.tf': 'locals { x = "optional" }' });
    assert.equal(result.fixable, 'main.tf:"optional"');
  });
});

describe('terraform values: variables', () => {
  const declared = 'variable "tokens" {\n  default = "optional"\n}\nlocals { x = var.tokens }\n';

  it('uses the default', async () => {
    const result = await local({ 'main.tf': declared });
    assert.deepEqual(result.values, ['optional']);
    assert.equal(result.fromInput, true);
    assert.equal(result.fixable, 'main.tf:"optional"');
  });

  it('prefers terraform.tfvars, and *.auto.tfvars over it', async () => {
    assert.deepEqual((await local({ 'main.tf': declared, 'terraform.tfvars': 'tokens = "required"\n' })).values, ['required']);
    const both = await local({ 'main.tf': declared, 'terraform.tfvars': 'tokens = "required"\n', 'b.auto.tfvars': 'tokens = "optional"\n' });
    assert.deepEqual(both.values, ['optional']);
    assert.equal(both.fixable, 'b.auto.tfvars:"optional"');
  });

  it('ignores tfvars files that Terraform loads only with -var-file', async () => {
    assert.deepEqual((await local({ 'main.tf': declared, 'prod.tfvars': 'tokens = "required"\n' })).values, ['optional']);
  });

  it('says why a variable without a value is unknown', async () => {
    const result = await local({ 'main.tf': 'variable "tokens" {}\nlocals { x = var.tokens }\n' });
    assert.deepEqual(result.values, []);
    assert.deepEqual(result.unknown, ['var.tokens has no default and is not set in terraform.tfvars or *.auto.tfvars']);
    assert.deepEqual((await local({ 'main.tf': 'locals { x = var.nope }' })).unknown, ['var.nope is not declared in this module']);
  });

  it('fills optional(type, default) attributes of an object type', async () => {
    const files = {
      'variables.tf': 'variable "md" {\n  type = object({\n    http_tokens = optional(string, "required")\n    hop = optional(number)\n  })\n  default = {}\n}\n',
      'main.tf': 'locals {\n  x = var.md.http_tokens\n  y = var.md.hop\n}\n',
    };
    assert.deepEqual((await local(files, 'x')).values, ['required']);
    assert.deepEqual((await local(files, 'y')).values, ['<null>']);
  });
});

describe('terraform values: locals, conditions, templates, functions', () => {
  it('follows locals and stops at a cycle', async () => {
    assert.deepEqual((await local({ 'main.tf': 'locals {\n  x = local.y\n  y = "required"\n}\n' })).values, ['required']);
    const cycle = await local({ 'main.tf': 'locals {\n  x = local.y\n  y = local.x\n}\n' });
    assert.deepEqual(cycle.values, []);
    assert.match(cycle.unknown[0]!, /refers to itself/);
  });

  it('keeps both branches of a condition on an input, and no literal to fix', async () => {
    const result = await local({ 'main.tf': 'variable "env" { default = "prod" }\nlocals { x = var.env == "prod" ? "required" : "optional" }\n' });
    assert.deepEqual(result.values, ['required', 'optional']);
    assert.equal(result.branched, true);
    assert.equal(result.fixable, undefined);
  });

  it('decides a condition on constants', async () => {
    const result = await local({ 'main.tf': 'locals {\n  on = true\n  x  = local.on ? "required" : "optional"\n}\n' });
    assert.deepEqual(result.values, ['required']);
  });

  it('keeps what is known of a condition whose other branch is not', async () => {
    const result = await local({ 'main.tf': 'variable "flag" { type = bool }\nlocals { x = var.flag ? data.x.y.value : "optional" }\n' });
    assert.deepEqual(result.values, ['optional']);
    assert.equal(result.unknown.length, 1);
  });

  it('builds string templates, and names what it cannot resolve', async () => {
    assert.deepEqual((await local({ 'main.tf': 'locals {\n  m = "quired"\n  x = "re${local.m}"\n}\n' })).values, ['required']);
    const unresolved = await local({ 'main.tf': 'locals { x = "${data.aws_ssm_parameter.mode.value}-x" }' });
    assert.deepEqual(unresolved.values, []);
    assert.match(unresolved.unknown[0]!, /data\.aws_ssm_parameter\.mode\.value/);
  });

  it('reads attributes and indexes of objects and tuples', async () => {
    const files = { 'main.tf': 'locals {\n  m = { a = ["x", "required"], "b" = { c = "optional" } }\n  x = local.m.a[1]\n  y = local.m["b"].c\n  z = local.m.nope\n}\n' };
    assert.deepEqual((await local(files, 'x')).values, ['required']);
    assert.deepEqual((await local(files, 'y')).values, ['optional']);
    assert.match((await local(files, 'z')).values[0]!, /^<absent: .*no attribute nope/);
  });

  it('evaluates lookup, try, coalesce, merge, lower and length', async () => {
    const base = 'locals {\n  m = { http_tokens = "required" }\n  e = {}\n';
    const check = async (expression: string, expected: string[]) => assert.deepEqual((await local({ 'main.tf': `${base}  x = ${expression}\n}\n` })).values, expected, expression);
    await check('lookup(local.m, "http_tokens", "optional")', ['required']);
    await check('lookup(local.e, "http_tokens", "optional")', ['optional']);
    await check('try(local.e.http_tokens, "optional")', ['optional']);
    await check('coalesce(null, "", "required")', ['required']);
    await check('merge(local.e, { http_tokens = "optional" }).http_tokens', ['optional']);
    await check('lower("REQUIRED")', ['required']);
    await check('length(local.m)', ['1']);
    await check('!true', ['false']);
  });

  it('leaves other functions, resources and data sources unknown, naming them', async () => {
    assert.match((await local({ 'main.tf': 'locals { x = jsondecode("{}") }' })).unknown[0]!, /jsondecode\(\), which is not evaluated/);
    assert.match((await local({ 'main.tf': 'locals { x = aws_instance.web.id }' })).unknown[0]!, /`aws_instance.web.id` is only known when Terraform runs/);
  });
});

describe('terraform values: settings', () => {
  const span = { file: 'main.tf', start: 0, end: 1 };

  it('turns an all-null value into a missing setting, and a partly null one into "unset"', async () => {
    const parser = await getParser('terraform');
    const config = new Configuration([{ path: '/m/main.tf', file: 'main.tf', text: 'variable "f" { type = bool }\nlocals {\n  n = null\n  p = var.f ? null : "required"\n}\n' }], parser);
    try {
      const evaluator = new Evaluator(config);
      assert.deepEqual(toSetting(evaluator.local('n', undefined), { span, good: 'required' }), { state: 'missing' });
      const partly = toSetting(evaluator.local('p', undefined), { span, good: 'required' });
      assert.equal(partly.state, 'set');
      assert.deepEqual(partly.state === 'set' && partly.values, ['unset', 'required']);
      // Covered by the account default or a v2.0 AMI, the unset branch is no longer a finding.
      const covered = toSetting(evaluator.local('p', undefined), { span, good: 'required', unsetCovered: true });
      assert.deepEqual(covered.state === 'set' && covered.values, ['required']);
    } finally {
      config.dispose();
    }
  });

  it('reports an unknown value as unresolved, with the reason', async () => {
    const parser = await getParser('terraform');
    const config = new Configuration([{ path: '/m/main.tf', file: 'main.tf', text: 'locals { u = data.x.y.z }\n' }], parser);
    try {
      const setting = toSetting(new Evaluator(config).local('u', undefined), { span, good: 'required' });
      assert.equal(setting.state, 'unresolved');
      assert.match(setting.state === 'unresolved' ? setting.reason : '', /data\.x\.y\.z/);
    } finally {
      config.dispose();
    }
  });
});
