// Template detection, parsing and in-place fixes of the CloudFormation analyser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { analyseTemplateFile } from '../src/cloudformation/analyse.js';
import { cloudFormationAnalyser } from '../src/cloudformation/analyser.js';
import { isTemplate, syntaxOf } from '../src/cloudformation/detect.js';
import { INTRINSIC_TAGS, parseYamlTemplate } from '../src/cloudformation/parse-yaml.js';
import { parseTemplateText } from '../src/cloudformation/analyse.js';
import { parse as parseYaml } from 'yaml';

const analyser = cloudFormationAnalyser();

function analyse(text: string, path = 'template.yaml') {
  return analyseTemplateFile({ path, file: path, text });
}

const detected = (text: string, path: string) => parseTemplateText(path, text).documents.some(isTemplate);

/** Applies every fix, checks the result parses as well as before, and returns it. */
function fixAll(text: string, path = 'template.yaml'): { fixed: string; findings: readonly Finding[] } {
  const { findings } = analyse(text, path);
  const fixed = applyFixes(text, findings.flatMap((f) => (f.fix ? [f.fix] : []))).text;
  assert.deepEqual(parseTemplateText(path, fixed).errors, [], `the fixed text does not parse:\n${fixed}`);
  const again = analyse(fixed, path);
  assert.deepEqual(again.findings.filter((f) => f.fix).map((f) => f.message), [], 'a re-scan still offers fixes');
  return { fixed, findings };
}

describe('CloudFormation template detection', () => {
  it('claims YAML, JSON and .template files, and parses only those naming a launch resource', () => {
    for (const path of ['stack.yaml', 'stack.yml', 'stack.json', 'stack.template', 'x.cfn', 'cdk.out/App.template.json']) assert.ok(analyser.claims(path, false), path);
    for (const path of ['main.tf', 'setup.sh', 'stack.yaml.bak']) assert.ok(!analyser.claims(path, false), path);
    assert.ok(analyser.mayMatter('Type: AWS::EC2::LaunchTemplate'));
    assert.ok(!analyser.mayMatter('Type: AWS::S3::Bucket\nname: AWS::EC2::Vpc'));
  });

  it('recognises templates by content: a format version, or Resources with AWS:: types', () => {
    assert.ok(detected('AWSTemplateFormatVersion: "2010-09-09"\n', 'a.yaml'));
    assert.ok(detected('Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n', 'a.yaml'));
    assert.ok(detected('{"Resources": {"I": {"Type": "AWS::EC2::Instance"}}}', 'cdk.template.json'));
    assert.ok(!detected('[{"resourceType": "AWS::EC2::Instance", "searchKey": "Resources.I.Properties"}]', 'positive_expected_result.json'));
    assert.ok(!detected('{"name": "app", "scripts": {"lint": "cfn-lint AWS::EC2::Instance"}}', 'package.json'));
    assert.ok(!detected('apiVersion: v1\nkind: ConfigMap\ndata:\n  types: AWS::EC2::Instance\n---\nkind: Service\n', 'k8s.yaml'));
    assert.ok(!detected('Resources:\n  - AWS::EC2::Instance\n', 'list.yaml'));
  });

  it('reads .template and .cfn files as JSON or YAML by their first character', () => {
    assert.equal(syntaxOf('a.template', '  // note\n{"Resources": {}}'), 'json');
    assert.equal(syntaxOf('a.template', 'Resources: {}'), 'yaml');
    assert.equal(syntaxOf('a.yaml', '{"Resources": {}}'), 'yaml');
  });

  it('parses every short-form intrinsic in scalar, sequence and mapping form without errors or warnings', () => {
    const lines = INTRINSIC_TAGS.flatMap((tag) => [`  S${tag}: !${tag} x`, `  Q${tag}: !${tag} [a, b]`, `  M${tag}: !${tag} {a: b}`]);
    const text = `Outputs:\n${lines.join('\n')}\n`;
    assert.deepEqual(parseYamlTemplate(text).errors, []);
    const doc = parseTemplateText('t.yaml', text).documents[0]!;
    assert.ok(doc.kind === 'map');
    const outputs = doc.entries[0]!.value!;
    assert.ok(outputs.kind === 'map' && outputs.entries.every((e) => e.value?.tag?.startsWith('Fn::') || e.value?.tag === 'Ref' || e.value?.tag === 'Condition'));
  });

  it('reports a syntax error only in a file that reads like a template', async () => {
    const broken = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Host:\n    Type: AWS::EC2::Instance\n    Properties: [oops\n';
    assert.ok(analyse(broken).syntaxProblems.length > 0);
    const helm = 'kind: ConfigMap\ndata: {{ .Values.types }} AWS::EC2::Instance\n  bad: indent\n';
    assert.deepEqual(analyse(helm, 'values.yaml').syntaxProblems, []);
    assert.ok((await analyser.countSyntaxErrors(broken, 't.yaml')) > 0);
    assert.equal(await analyser.countSyntaxErrors('{"a": 1, // fine\n}', 't.json'), 0);
  });

  it('produces nothing for files that are not templates', () => {
    const results = '[{"resourceType": "AWS::EC2::Instance", "issueType": "MissingAttribute"}]';
    assert.deepEqual(analyse(results, 'positive_expected_result.json'), { file: 'positive_expected_result.json', findings: [], syntaxProblems: [] });
  });
});

describe('CloudFormation fixes', () => {
  it('keeps CRLF line endings when inserting a block', () => {
    const text = 'Resources:\r\n  Host:\r\n    Type: AWS::EC2::Instance\r\n    Properties:\r\n      InstanceType: t3.micro\r\n';
    const { fixed } = fixAll(text);
    assert.equal(fixed, `${text}      MetadataOptions:\r\n        HttpEndpoint: enabled\r\n        HttpTokens: required\r\n`);
  });

  it('inserts HttpTokens next to its siblings, and keeps a trailing comment on its line', () => {
    const text = 'Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        MetadataOptions:\n          HttpEndpoint: enabled   # keep\n';
    assert.equal(fixAll(text).fixed, `${text.slice(0, -1)}\n          HttpTokens: required\n`);
  });

  it('replaces a value in its own quoting style, and leaves a comment after it alone', () => {
    const text = "Resources:\n  LC:\n    Type: AWS::AutoScaling::LaunchConfiguration\n    Properties:\n      MetadataOptions: {HttpTokens: 'optional'}  # why\n";
    assert.equal(fixAll(text).fixed, text.replace("'optional'", "'required'"));
  });

  it('inserts into a flow mapping inside its braces', () => {
    const text = 'Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties: {InstanceType: t3.micro}\n';
    assert.equal(fixAll(text).fixed, text.replace('t3.micro}', 't3.micro, MetadataOptions: {HttpEndpoint: enabled, HttpTokens: required}}'));
  });

  it('changes a parameter Default when it is the only source, and says so', () => {
    const text = 'Parameters:\n  Tokens:\n    Type: String\n    Default: "optional"\nResources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions:\n        HttpTokens: !Ref Tokens\n';
    const { fixed, findings } = fixAll(text);
    assert.equal(fixed, text.replace('Default: "optional"', 'Default: "required"'));
    assert.match(findings[0]!.fix!.description, /changes the Default of parameter Tokens to required/);
  });

  it('offers no fix where a Default outside AllowedValues would break the stack, or for conditions and mappings', () => {
    const narrow = 'Parameters:\n  Tokens: {Type: String, Default: optional, AllowedValues: [optional]}\nResources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: {HttpTokens: !Ref Tokens}\n';
    const conditional = 'Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: {HttpTokens: !If [C, required, optional]}\n';
    for (const text of [narrow, conditional]) {
      const { findings } = analyse(text);
      assert.equal(findings.length, 1);
      assert.equal(findings[0]!.messageId, 'tokensOptional');
      assert.equal(findings[0]!.fix, undefined);
    }
  });

  it('writes JSON insertions with the file indentation (tabs too) and handles trailing commas and one-line objects', () => {
    const tabs = '{\n\t"Resources": {\n\t\t"I": {\n\t\t\t"Type": "AWS::EC2::Instance",\n\t\t\t"Properties": {\n\t\t\t\t"ImageId": "ami-1",\n\t\t\t}\n\t\t}\n\t}\n}\n';
    assert.equal(
      fixAll(tabs, 't.json').fixed,
      tabs.replace('"ami-1",\n', '"ami-1",\n\t\t\t\t"MetadataOptions": {\n\t\t\t\t\t"HttpEndpoint": "enabled",\n\t\t\t\t\t"HttpTokens": "required"\n\t\t\t\t}\n'),
    );
    const inline = '{"Resources": {"I": {"Type": "AWS::EC2::Instance", "Properties": {"MetadataOptions": {"HttpEndpoint": "enabled"}}}}}';
    assert.equal(fixAll(inline, 't.json').fixed, inline.replace('"enabled"}', '"enabled", "HttpTokens": "required"}'));
    const empty = '{"Resources": {"I": {"Type": "AWS::EC2::Instance", "Properties": {"MetadataOptions": {}}}}}';
    assert.equal(fixAll(empty, 't.json').fixed, empty.replace('{}', '{"HttpTokens": "required"}'));
  });

  it('keeps the fixed YAML equal to the original apart from the setting', () => {
    const text = 'Resources:\n  N:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n';
    const { fixed } = fixAll(text);
    assert.deepEqual(parseYaml(fixed).Resources.N.Properties, { InstanceType: 'ml.t3.medium', InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: '2' } });
  });
});

describe('CloudFormation launch template links', () => {
  const lt = (tokens: string) =>
    `  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateName: !Sub "\${AWS::StackName}-web"\n      LaunchTemplateData:\n        MetadataOptions: {HttpTokens: ${tokens}}\n`;

  it('defers an instance without its own HttpTokens to the template it names by id or by name', () => {
    for (const link of ['LaunchTemplateId: !Ref LT', 'LaunchTemplateId: !GetAtt LT.LaunchTemplateId', 'LaunchTemplateName: !Sub "${AWS::StackName}-web"']) {
      const text = `Resources:\n${lt('required')}  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      LaunchTemplate: {${link}, Version: "1"}\n`;
      assert.deepEqual(analyse(text).findings, [], link);
      const bad = analyse(text.replace('HttpTokens: required', 'HttpTokens: optional')).findings;
      assert.deepEqual(bad.map((f) => f.message), ['LT sets HttpTokens to optional: its instances accept IMDSv1 requests (used by I)'], link);
    }
  });

  it('lets the instance setting win over the template', () => {
    const text = `Resources:\n${lt('required')}  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      LaunchTemplate: {LaunchTemplateId: !Ref LT}\n      MetadataOptions: {HttpTokens: optional}\n`;
    assert.deepEqual(analyse(text).findings.map((f) => f.message), ['I sets HttpTokens to optional: its instances accept IMDSv1 requests']);
  });

  it('lists every consumer of a template once', () => {
    const text = `Resources:\n${lt('optional')}  Asg:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      LaunchTemplate: {LaunchTemplateId: !Ref LT}\n      MixedInstancesPolicy: {LaunchTemplate: {LaunchTemplateSpecification: {LaunchTemplateId: !Ref LT}}}\n  Ng:\n    Type: AWS::EKS::Nodegroup\n    Properties:\n      LaunchTemplate: {Id: !Ref LT}\n  Ce:\n    Type: AWS::Batch::ComputeEnvironment\n    Properties:\n      ComputeResources: {LaunchTemplate: {LaunchTemplateName: !Sub "\${AWS::StackName}-web"}}\n  Fleet:\n    Type: AWS::EC2::EC2Fleet\n    Properties:\n      LaunchTemplateConfigs: [{LaunchTemplateSpecification: {LaunchTemplateId: !Ref LT}}]\n`;
    assert.deepEqual(analyse(text).findings.map((f) => f.message), ['LT sets HttpTokens to optional: its instances accept IMDSv1 requests (used by Asg, Ng, Ce, Fleet)']);
  });
});

describe('CloudFormation edge cases', () => {
  it('reports an empty or AWS::NoValue HttpTokens as missing, without a duplicate-key fix', () => {
    for (const value of ['', ' !Ref AWS::NoValue']) {
      const text = `Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions:\n        HttpTokens:${value}\n`;
      const { findings } = analyse(text);
      assert.deepEqual(findings.map((f) => [f.messageId, f.line, f.fix]), [['tokensMissing', 5, undefined]], JSON.stringify(value));
    }
  });

  it('passes a disabled endpoint, and notes a hop limit above 1 whatever the tokens', () => {
    const text = 'Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: {HttpEndpoint: disabled, HttpPutResponseHopLimit: 3}\n';
    assert.deepEqual(analyse(text).findings.map((f) => f.ruleId), ['no-imds-hop-limit-above-one']);
  });

  it('does not fix a MetadataOptions written as an expression, and cannot judge it', () => {
    const text = 'Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      MetadataOptions: !If [C, {HttpTokens: required}, !Ref AWS::NoValue]\n';
    const { findings } = analyse(text);
    assert.deepEqual(findings.map((f) => [f.messageId, f.fix]), [['cannotDetermine', undefined]]);
    assert.match(findings[0]!.message, /MetadataOptions is not a plain mapping/);
  });
});
