/**
 * The plugin's languages under ESLint's own RuleTester (bound to node:test): what each rule
 * reports in shell scripts, Terraform and CloudFormation (messages, positions, safe fixes as
 * `output`, unsafe ones as suggestions), directives in the format's comments (`eslint-disable…`,
 * inline `eslint` rule settings, the scan's own `imds-guard-ignore`), ordinary YAML and JSON left
 * alone, parsing errors only for a template that does not parse, and a tree selectors can use.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Linter, RuleTester, type Rule } from 'eslint';
import plugin from '../src/index.ts';

const ruleTester = RuleTester as unknown as { afterAll: unknown; describe: unknown; it: unknown; itOnly: unknown };
ruleTester.afterAll = after;
ruleTester.describe = describe;
ruleTester.it = it;
ruleTester.itOnly = it.only;

const rule = (id: string) => plugin.rules[id] as Rule.RuleModule;
const tester = (language: string) => new RuleTester({ plugins: { 'imds-guard': plugin }, language: `imds-guard/${language}` } as never);

const IMDS = 'http://169.254.169.254';
const TOKEN_LINE = `: "\${IMDS_TOKEN:=$(curl -sS -X PUT "${IMDS}/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"`;
const missing = (client: string, path: string) =>
  `${client} reads ${IMDS}${path} without the X-aws-ec2-metadata-token header: this is an IMDSv1 request and gets 401 once the instance requires IMDSv2`;
const REQUIRE = 'Require IMDSv2 tokens';
const REQUIRE_IAC = `${REQUIRE}. Code that calls IMDS without a token (user data, scripts, old SDKs) breaks once this is applied: fix it first`;

// --- shell --------------------------------------------------------------------------------------

const BOOT = `#!/bin/bash\nset -euo pipefail\nID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\necho "$ID"\n`;

describe('sh', () => tester('sh').run('no-imdsv1-request', rule('no-imdsv1-request'), {
  // RuleTester registers the rule under test as rule-to-test/<name>: directives name it so.
  valid: [
    { filename: 'token.sh', code: `TOKEN=$(curl -sX PUT ${IMDS}/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\ncurl -s -H "X-aws-ec2-metadata-token: $TOKEN" ${IMDS}/latest/meta-data/instance-id\n` },
    // look-alikes: ECS task metadata, a longer address, a comment and an echo
    { filename: 'ecs.sh', code: `curl -s http://169.254.170.2/v2/metadata\ncurl -s http://169.254.169.2541/x\n# curl ${IMDS}/latest/meta-data/\necho "curl ${IMDS}/latest/meta-data/"\n` },
    { filename: 'next-line.sh', code: `# eslint-disable-next-line rule-to-test/no-imdsv1-request -- the vendor agent, until 2.4\nID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\n` },
    { filename: 'same-line.sh', code: `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id) # eslint-disable-line rule-to-test/no-imdsv1-request\n` },
    { filename: 'block.sh', code: `# eslint-disable rule-to-test/no-imdsv1-request\nA=$(curl -s ${IMDS}/latest/meta-data/ami-id)\nB=$(wget -qO- ${IMDS}/latest/meta-data/hostname)\n# eslint-enable rule-to-test/no-imdsv1-request\n` },
    { filename: 'inline-config.sh', code: `# eslint rule-to-test/no-imdsv1-request: off\nID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\n` },
    { filename: 'ignored.sh', code: `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id) # imds-guard-ignore IMDS001 -- legacy AMI, retired in Q3\n` },
  ],
  invalid: [
    {
      filename: 'boot.sh',
      code: BOOT,
      output: BOOT.replace('ID=$(curl -s', `${TOKEN_LINE}\nID=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s`),
      errors: [{ message: missing('curl', '/latest/meta-data/instance-id'), line: 3, column: 6, endLine: 3, endColumn: 65 }],
    },
    {
      // only the next line is disabled: the request after it is still reported, and fixed
      filename: 'partly.sh',
      code: `# eslint-disable-next-line rule-to-test/no-imdsv1-request\nA=$(curl -s ${IMDS}/latest/meta-data/ami-id)\nB=$(curl -s ${IMDS}/latest/meta-data/hostname)\n`,
      // the token line goes before the first request in scope; the disabled request keeps its text
      output: `# eslint-disable-next-line rule-to-test/no-imdsv1-request\n${TOKEN_LINE}\nA=$(curl -s ${IMDS}/latest/meta-data/ami-id)\nB=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s ${IMDS}/latest/meta-data/hostname)\n`,
      errors: [{ message: missing('curl', '/latest/meta-data/hostname'), line: 3 }],
    },
    {
      // columns count UTF-16 code units, after a line with an emoji and an accent
      filename: 'unicode.sh',
      code: `echo "déploiement 🚀"\nwget -qO- ${IMDS}/latest/meta-data/local-ipv4\n`,
      output: `echo "déploiement 🚀"\n${TOKEN_LINE}\nwget --header="X-aws-ec2-metadata-token: $IMDS_TOKEN" -qO- ${IMDS}/latest/meta-data/local-ipv4\n`,
      errors: [{ message: missing('wget', '/latest/meta-data/local-ipv4'), line: 2, column: 1 }],
    },
  ],
}));

describe('sh', () => tester('sh').run('no-imdsv1-instance-config', rule('no-imdsv1-instance-config'), {
  valid: [{ filename: 'ok.sh', code: 'aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens required\n' }],
  invalid: [
    {
      // requiring tokens changes how instances behave: a suggestion, never an --fix
      filename: 'fleet.sh',
      code: 'aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens optional\n',
      output: null,
      errors: [
        {
          message: 'aws ec2 modify-instance-metadata-options sets HttpTokens to optional: its instances accept IMDSv1 requests',
          line: 1,
          column: 1,
          suggestions: [{ desc: REQUIRE, output: 'aws ec2 modify-instance-metadata-options --instance-id i-0abc --http-tokens required\n' }],
        },
      ],
    },
  ],
}));

describe('sh', () => tester('sh').run('no-invalid-suppression', rule('no-invalid-suppression'), {
  valid: [{ filename: 'reasoned.sh', code: `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id) # imds-guard-ignore IMDS001 -- legacy AMI\n` }],
  invalid: [
    {
      filename: 'unreasoned.sh',
      code: `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id) # imds-guard-ignore IMDS001\n`,
      output: null,
      errors: [{ message: /gives no reason/, line: 1, column: 67 }],
    },
  ],
}));

// --- Terraform ----------------------------------------------------------------------------------

const INSTANCE = [
  'resource "aws_instance" "web" {',
  '  ami           = "ami-0abc"',
  '  instance_type = "t3.micro"',
  '  metadata_options {',
  '    http_tokens                 = "optional"',
  '    http_put_response_hop_limit = 3',
  '  }',
  '}',
  '',
].join('\n');

const USER_DATA = [
  'resource "aws_instance" "worker" {',
  '  ami = "ami-0abc"',
  '  metadata_options {',
  '    http_tokens = "required"',
  '  }',
  '  user_data = <<-EOT',
  '    #!/bin/bash',
  `    curl -s ${IMDS}/latest/meta-data/instance-id > /etc/instance-id`,
  '  EOT',
  '}',
  '',
].join('\n');

describe('terraform', () => tester('terraform').run('no-imdsv1-instance-config', rule('no-imdsv1-instance-config'), {
  valid: [
    { filename: 'required.tf', code: INSTANCE.replace('"optional"', '"required"') },
    { filename: 'hash.tf', code: `# eslint-disable-next-line rule-to-test/no-imdsv1-instance-config\n${INSTANCE}`.replace('  metadata_options', '  # eslint-disable-next-line rule-to-test/no-imdsv1-instance-config\n  metadata_options').replace('    http_tokens', '    # eslint-disable-next-line rule-to-test/no-imdsv1-instance-config\n    http_tokens') },
    { filename: 'slashes.tf', code: INSTANCE.replace('    http_tokens', '    // eslint-disable-next-line rule-to-test/no-imdsv1-instance-config -- a test fleet\n    http_tokens') },
    { filename: 'block-comment.tf', code: `/* eslint-disable rule-to-test/no-imdsv1-instance-config */\n${INSTANCE}` },
  ],
  invalid: [
    {
      filename: 'main.tf',
      code: INSTANCE,
      output: null,
      errors: [
        {
          message: 'aws_instance.web sets HttpTokens to optional: its instances accept IMDSv1 requests',
          line: 5,
          column: 5,
          suggestions: [{ desc: REQUIRE_IAC, output: INSTANCE.replace('"optional"', '"required"') }],
        },
      ],
    },
  ],
}));

describe('terraform', () => tester('terraform').run('no-imds-hop-limit-above-one', rule('no-imds-hop-limit-above-one'), {
  valid: [{ filename: 'one.tf', code: INSTANCE.replace('= 3', '= 1') }],
  invalid: [
    {
      filename: 'main.tf',
      code: INSTANCE,
      output: null,
      errors: [{ message: 'aws_instance.web sets the metadata response hop limit to 3: containers on the instance can reach IMDS; keep 1 unless containers need the instance role', line: 6, column: 5 }],
    },
  ],
}));

describe('terraform', () => tester('terraform').run('no-imdsv1-request', rule('no-imdsv1-request'), {
  valid: [{ filename: 'none.tf', code: INSTANCE }],
  invalid: [
    {
      // the instance requires tokens, so this request fails at boot; the fix escapes ${ as $${
      filename: 'worker.tf',
      code: USER_DATA,
      output: USER_DATA.replace(
        `    curl -s ${IMDS}`,
        () => `    ${TOKEN_LINE.replace('${', () => '$${')}\n    curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s ${IMDS}`,
      ),
      errors: [{ message: /without a valid X-aws-ec2-metadata-token header, but aws_instance\.worker requires IMDSv2: .* \(in the user_data of aws_instance\.worker\)$/, line: 8, column: 5 }],
    },
  ],
}));

// --- CloudFormation -----------------------------------------------------------------------------

const TEMPLATE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  'Resources:',
  '  WorkerTemplate:',
  '    Type: AWS::EC2::LaunchTemplate',
  '    Properties:',
  '      LaunchTemplateData:',
  '        MetadataOptions:',
  '          HttpTokens: optional   # TODO: required after the agent upgrade',
  '          HttpPutResponseHopLimit: 1',
  '',
].join('\n');

const JSON_TEMPLATE = JSON.stringify(
  { AWSTemplateFormatVersion: '2010-09-09', Resources: { WorkerTemplate: { Type: 'AWS::EC2::LaunchTemplate', Properties: { LaunchTemplateData: { MetadataOptions: { HttpTokens: 'optional' } } } } } },
  null,
  2,
);

const OPTIONAL = 'WorkerTemplate sets HttpTokens to optional: its instances accept IMDSv1 requests';

describe('cloudformation', () => tester('cloudformation').run('no-imdsv1-instance-config', rule('no-imdsv1-instance-config'), {
  valid: [
    { filename: 'required.yaml', code: TEMPLATE.replace('optional  ', 'required  ') },
    { filename: 'disabled.yaml', code: TEMPLATE.replace('          HttpTokens', '          # eslint-disable-next-line rule-to-test/no-imdsv1-instance-config\n          HttpTokens') },
    // not templates: a Kubernetes manifest and a package.json that mention the same words
    { filename: 'configmap.yaml', code: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: agent\ndata:\n  HttpTokens: optional\n  endpoint: ${IMDS}/latest/meta-data/\n` },
    { filename: 'package.json', code: '{\n  "name": "agent",\n  "description": "reads AWS::EC2::Instance metadata, HttpTokens optional"\n}\n' },
  ],
  invalid: [
    {
      filename: 'stack.yaml',
      code: TEMPLATE,
      output: null,
      errors: [{ message: OPTIONAL, line: 8, column: 11, suggestions: [{ desc: REQUIRE_IAC, output: TEMPLATE.replace('optional  ', 'required  ') }] }],
    },
    {
      filename: 'stack.template',
      code: TEMPLATE,
      output: null,
      errors: [{ message: OPTIONAL, line: 8, suggestions: [{ desc: REQUIRE_IAC, output: TEMPLATE.replace('optional  ', 'required  ') }] }],
    },
    {
      filename: 'stack.json',
      code: JSON_TEMPLATE,
      output: null,
      errors: [{ message: OPTIONAL, line: 9, suggestions: [{ desc: REQUIRE_IAC, output: JSON_TEMPLATE.replace('"optional"', '"required"') }] }],
    },
  ],
}));

// --- parsing and the tree -----------------------------------------------------------------------

function lint(language: string, filename: string, code: string, rules: Linter.RulesRecord, extra: Record<string, unknown> = {}) {
  const config = [{ files: ['**/*.sh', '**/*.tf', '**/*.yaml', '**/*.json'], plugins: { 'imds-guard': plugin, ...extra }, language: `imds-guard/${language}`, rules }];
  return new Linter({ configType: 'flat' }).verify(code, config as never, { filename });
}

describe('parsing', () => {
  it('reports a template that is not valid YAML as a parsing error at its position', () => {
    const broken = 'Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n    Properties: {\n      HttpTokens: optional\n';
    const messages = lint('cloudformation', 'broken.yaml', broken, { 'imds-guard/no-imdsv1-instance-config': 'error' });
    assert.deepEqual(messages.map((m) => [m.fatal, m.line, m.message]), [[true, 6, 'Parsing error: this template is not valid YAML']]);
  });

  it('leaves broken YAML that is not a template alone (a Helm template, say)', () => {
    const helm = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  {{- range .Values.items }}\n  {{ .name }}: {{ .value }}\n  {{- end }}\n';
    assert.deepEqual(lint('cloudformation', 'configmap.yaml', helm, { 'imds-guard/no-imdsv1-instance-config': 'error' }), []);
  });

  it('never fails on a broken script: the findings around the error are still reported', () => {
    const code = `if then fi ((\nID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\n`;
    const messages = lint('sh', 'broken.sh', code, { 'imds-guard/no-imdsv1-request': 'error' });
    assert.ok(messages.every((m) => !m.fatal), JSON.stringify(messages));
  });

  it('gives selectors a tree with the grammar\'s node types, fields and parents', () => {
    const seen: string[] = [];
    const probe: Rule.RuleModule = {
      meta: { type: 'problem', languages: ['imds-guard/sh', 'imds-guard/terraform', 'imds-guard/cloudformation'] } as Rule.RuleModule['meta'],
      create: (context) => ({
        'command_substitution > command > command_name': (node: never) => seen.push(`sh ${context.sourceCode.getText(node)}`),
        'block > body > attribute > identifier': (node: never) => seen.push(`tf ${context.sourceCode.getText(node)}`),
        'Pair > Scalar[field="key"]': (node: never) => seen.push(`yaml ${context.sourceCode.getText(node)}`),
      }),
    };
    const probePlugin = { rules: { probe } };
    lint('sh', 'a.sh', `ID=$(curl -s ${IMDS}/latest/meta-data/instance-id)\n`, { 'probe/probe': 'error' }, { probe: probePlugin });
    lint('terraform', 'a.tf', INSTANCE, { 'probe/probe': 'error' }, { probe: probePlugin });
    lint('cloudformation', 'a.yaml', 'Resources:\n  LT:\n    Type: AWS::EC2::LaunchTemplate\n', { 'probe/probe': 'error' }, { probe: probePlugin });
    // YAML that no analyser cares about gets an empty tree: ordinary files cost next to nothing
    lint('cloudformation', 'b.yaml', 'Resources:\n  A: 1\n', { 'probe/probe': 'error' }, { probe: probePlugin });
    assert.deepEqual(seen, ['sh curl', 'tf ami', 'tf instance_type', 'tf http_tokens', 'tf http_put_response_hop_limit', 'yaml Resources', 'yaml LT', 'yaml Type']);
  });

  it('rejects languageOptions it does not know', () => {
    const config = [{ files: ['**/*.sh'], plugins: { 'imds-guard': plugin }, language: 'imds-guard/sh', languageOptions: { dialect: 'zsh' } }];
    assert.throws(() => new Linter({ configType: 'flat' }).verify('echo', config as never, { filename: 'a.sh' }), /take no languageOptions, got: dialect/);
  });
});
