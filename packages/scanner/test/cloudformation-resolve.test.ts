// Value resolution of the CloudFormation analyser: what `HttpTokens: <expression>` can be.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { possibilities, scopeOf, type Possibility } from '../src/cloudformation/resolve.js';
import { parseJsonTemplate } from '../src/cloudformation/parse-json.js';
import { parseYamlTemplate } from '../src/cloudformation/parse-yaml.js';
import { childAt, type TemplateNode } from '../src/cloudformation/template-node.js';

const HEAD = `
Parameters:
  WithDefault: {Type: String, Default: optional, AllowedValues: [optional, required]}
  OnlyAllowed: {Type: String, AllowedValues: [required, optional]}
  Free: {Type: String}
  FromSsm: {Type: "AWS::SSM::Parameter::Value<String>", Default: /imds/tokens}
  Env: {Type: String, Default: prod}
Mappings:
  ByRegion:
    us-east-1: {Tokens: required}
    ap-south-1: {Tokens: optional}
  ByEnv:
    prod: {Tokens: required}
    dev: {Tokens: optional}
Resources:
  Other: {Type: AWS::S3::Bucket}
  Host:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
`;

/** Resolves the value written after `HttpTokens:` in a YAML template. */
function yamlValues(expression: string): Possibility[] {
  const parsed = parseYamlTemplate(`${HEAD}        HttpTokens: ${expression}\n`);
  assert.deepEqual(parsed.errors, []);
  return resolve(parsed.documents[0]!);
}

function resolve(root: TemplateNode): Possibility[] {
  const node = childAt(root, ['Resources', 'Host', 'Properties', 'MetadataOptions', 'HttpTokens']);
  return possibilities(node, scopeOf(root), 'HttpTokens');
}

const summary = (ps: Possibility[]) => ps.map((p) => (p.kind === 'value' ? `${p.value}${p.via ? ` via ${p.via}` : ''}` : p.kind === 'unset' ? `unset via ${p.via}` : `unknown: ${p.reason}`));

describe('CloudFormation value resolution', () => {
  it('reads literals in every quoting style, and keeps the scalar a fix replaces', () => {
    for (const written of ['optional', "'optional'", '"optional"']) {
      const [p] = yamlValues(written);
      assert.equal(p?.kind, 'value');
      assert.equal(p.kind === 'value' && p.value, 'optional');
      assert.ok(p.kind === 'value' && p.source, `no source for ${written}`);
    }
  });

  it('resolves Ref to a parameter: its Default, else every AllowedValue, else unknown', () => {
    assert.deepEqual(summary(yamlValues('!Ref WithDefault')), ['optional via the Default of parameter WithDefault']);
    assert.deepEqual(summary(yamlValues('!Ref OnlyAllowed')), [
      'required via the AllowedValues of parameter OnlyAllowed',
      'optional via the AllowedValues of parameter OnlyAllowed',
    ]);
    assert.deepEqual(summary(yamlValues('!Ref Free')), ['unknown: HttpTokens comes from the parameter Free, which has no Default or AllowedValues']);
    const [withDefault] = yamlValues('{Ref: WithDefault}');
    assert.ok(withDefault?.kind === 'value' && withDefault.parameter?.name === 'WithDefault');
    assert.deepEqual(withDefault.kind === 'value' && withDefault.parameter?.allowed, ['optional', 'required']);
  });

  it('does not take the Default of an SSM parameter type for its value', () => {
    assert.match(summary(yamlValues('!Ref FromSsm'))[0]!, /^unknown: .*SSM Parameter Store/);
  });

  it('treats pseudo parameters, resources and undefined names as unknown, and AWS::NoValue as unset', () => {
    assert.match(summary(yamlValues('!Ref AWS::Region'))[0]!, /pseudo parameter AWS::Region/);
    assert.match(summary(yamlValues('!Ref Other'))[0]!, /resource Other/);
    assert.match(summary(yamlValues('!Ref Nowhere'))[0]!, /does not define/);
    assert.deepEqual(summary(yamlValues('!Ref AWS::NoValue')), ['unset via AWS::NoValue']);
  });

  it('takes both branches of Fn::If, in short and long form, without a fix source', () => {
    const short = yamlValues('!If [IsProd, required, optional]');
    assert.deepEqual(summary(short), ['required via a branch of Fn::If IsProd', 'optional via a branch of Fn::If IsProd']);
    assert.ok(short.every((p) => p.kind !== 'value' || p.source === undefined));
    assert.deepEqual(summary(yamlValues('{"Fn::If": [IsProd, !Ref WithDefault, !Ref "AWS::NoValue"]}')), [
      'optional via the Default of parameter WithDefault',
      'unset via a branch of Fn::If IsProd',
    ]);
  });

  it('looks up Fn::FindInMap: literal keys pick one value, keys known only at deploy time any value', () => {
    assert.deepEqual(summary(yamlValues('!FindInMap [ByEnv, dev, Tokens]')), ['optional via Mappings ByEnv']);
    assert.deepEqual(summary(yamlValues('!FindInMap [ByRegion, !Ref "AWS::Region", Tokens]')), ['required via Mappings ByRegion', 'optional via Mappings ByRegion']);
    // A key from a parameter follows the parameter's Default, like any other Ref.
    assert.deepEqual(summary(yamlValues('!FindInMap [ByEnv, !Ref Env, Tokens]')), ['required via Mappings ByEnv']);
    assert.match(summary(yamlValues('!FindInMap [Missing, a, b]'))[0]!, /^unknown: .*does not define/);
    assert.match(summary(yamlValues('!FindInMap [ByEnv, qa, Tokens]'))[0]!, /^unknown: .*keys that ByEnv does not have/);
  });

  it('computes Fn::Sub without substitutions and Fn::Join / Fn::Select over literals', () => {
    assert.deepEqual(summary(yamlValues('!Sub required')), ['required']);
    assert.deepEqual(summary(yamlValues('!Join ["", [req, uired]]')), ['required']);
    assert.deepEqual(summary(yamlValues('!Select [1, [required, optional]]')), ['optional']);
    assert.match(summary(yamlValues('!Sub "${Env}-tokens"'))[0]!, /^unknown: HttpTokens is built with Fn::Sub/);
  });

  it('says why other functions cannot be resolved', () => {
    assert.deepEqual(summary(yamlValues('!ImportValue shared-tokens')), ['unknown: HttpTokens comes from Fn::ImportValue, known only at deploy time']);
    assert.deepEqual(summary(yamlValues('!GetAtt Other.Arn')), ['unknown: HttpTokens comes from Fn::GetAtt, known only at deploy time']);
    assert.match(summary(yamlValues('[a, b]'))[0]!, /not a single value/);
  });

  it('resolves the JSON forms the same way', () => {
    const json = JSON.stringify({
      Parameters: { WithDefault: { Type: 'String', Default: 'optional' } },
      Conditions: {},
      Resources: { Host: { Type: 'AWS::EC2::Instance', Properties: { MetadataOptions: { HttpTokens: { 'Fn::If': ['C', 'required', { Ref: 'WithDefault' }] } } } } },
    });
    const parsed = parseJsonTemplate(json);
    assert.deepEqual(summary(resolve(parsed.documents[0]!)), ['required via a branch of Fn::If C', 'optional via the Default of parameter WithDefault']);
  });
});
