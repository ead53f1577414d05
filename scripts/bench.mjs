#!/usr/bin/env node
// Benchmark, not a test: builds a large synthetic monorepo under .bench/ and times, in one run,
// `imds-guard scan` (the built CLI) against ripgrep looking for the same prefilter needles over the
// same tree, both with a warm page cache.
//
//   node scripts/bench.mjs [--scale 1] [--runs 5] [--regenerate] [--keep-going]
//
// Needs `pnpm build` first. Installs ripgrep with apt-get when it is missing. Generation is
// deterministic (seeded) and is skipped when .bench/ already holds the same tree; --scale 0.1 makes
// a tenth of it for a quick look. Makes no network request other than that apt-get.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    regenerate: { type: 'boolean', default: false },
  },
});
const SCALE = Number(args.scale);
const RUNS = Math.max(1, Number(args.runs));
const SEED = 20240606;
const GENERATOR_VERSION = 7;
const benchRoot = join(root, '.bench');
const tree = join(benchRoot, `monorepo-x${SCALE}`);
const cli = join(root, 'packages/cli/bin/imds-guard.js');

if (!existsSync(join(root, 'packages/cli/dist/main.js'))) fail('packages/cli/dist is missing: run `pnpm build` first');

// ---------------------------------------------------------------------------------------------
// Seeded randomness

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(SEED);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(random() * xs.length)];
/** Log-normal file sizes: most files a few KB, a long tail of large ones. */
const size = (median, sigma, max) => {
  const u = Math.max(1e-9, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(max, Math.max(120, Math.round(median * Math.exp(sigma * z))));
};

// ---------------------------------------------------------------------------------------------
// Content: lines drawn from pools of plausible code and prose, so that sizes and byte mixes are
// realistic. Nothing here names the metadata service, except the IMDS-relevant files below and a
// few documents that explain it (as real repositories have).

const WORDS =
  'the a service request handler user account order payment invoice cache queue worker event stream config value result error retry timeout limit page token session client server build deploy release version module package test fixture mock data record field index table schema migration region bucket object key policy role cluster node pod container image volume network subnet route gateway metric alarm log trace span tenant customer product price discount cart checkout shipment address email notification template render component state store action reducer effect hook props style theme layout header footer button input form modal dialog list item card grid'.split(
    ' ',
  );
const word = () => pick(WORDS);
const ident = () => word() + word()[0].toUpperCase() + word().slice(1);
const sentence = () => {
  const n = int(6, 18);
  const ws = Array.from({ length: n }, word);
  ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
  return `${ws.join(' ')}.`;
};

function pool(n, make) {
  return Array.from({ length: n }, make);
}
const TS_LINES = pool(3000, () =>
  pick([
    () => `export function ${ident()}(${word()}: ${pick(['string', 'number', 'boolean', ident()])}): ${pick(['void', 'Promise<void>', 'string', 'number'])} {`,
    () => `  const ${ident()} = await ${word()}.${ident()}(${word()}, { ${word()}: ${int(0, 9999)} });`,
    () => `  if (!${ident()}) throw new Error('${sentence()}');`,
    () => `  return ${word()}.map((${word()}) => ${word()}.${ident()}).filter(Boolean);`,
    () => `import { ${ident()}, ${ident()} } from '../${word()}/${word()}.js';`,
    () => `export interface ${ident()[0].toUpperCase()}${ident().slice(1)} { ${word()}: string; ${word()}?: number }`,
    () => `  // ${sentence()}`,
    () => `  ${word()}.${ident()} = ${pick(['null', 'undefined', 'true', 'false', String(int(0, 1e6)), `'${word()}'`])};`,
    () => `}`,
    () => `  logger.${pick(['info', 'debug', 'warn'])}(\`${sentence()} \${${word()}}\`);`,
  ])(),
);
const PY_LINES = pool(2000, () =>
  pick([
    () => `def ${word()}_${word()}(${word()}, ${word()}=None):`,
    () => `    ${word()} = ${word()}.${word()}_${word()}(${word()}, ${int(0, 999)})`,
    () => `    if not ${word()}:`,
    () => `        raise ValueError("${sentence()}")`,
    () => `    return [${word()} for ${word()} in ${word()}s if ${word()}]`,
    () => `import ${word()}`,
    () => `from ${word()}.${word()} import ${ident()}`,
    () => `    # ${sentence()}`,
    () => `class ${ident()[0].toUpperCase()}${ident().slice(1)}(${pick(['object', 'Base', 'Model'])}):`,
    () => `    """${sentence()}"""`,
  ])(),
);
const MD_LINES = pool(2000, () =>
  pick([
    () => `## ${sentence().slice(0, 40)}`,
    () => `${sentence()} ${sentence()} ${sentence()}`,
    () => `- ${sentence()}`,
    () => '```sh',
    () => `npm run ${word()} -- --${word()}=${word()}`,
    () => '```',
    () => '',
    () => `| ${word()} | ${word()} | ${int(0, 100)} |`,
  ])(),
);
const YAML_LINES = pool(1500, () =>
  pick([
    () => `${word()}:`,
    () => `  ${word()}: ${word()}-${int(1, 99)}`,
    () => `  - name: ${word()} ${word()}`,
    () => `    image: registry.example.com/${word()}/${word()}:${int(1, 9)}.${int(0, 20)}.${int(0, 9)}`,
    () => `    run: npm run ${word()}`,
    () => `      ${word()}: "${sentence()}"`,
    () => `# ${sentence()}`,
  ])(),
);
const SH_LINES = pool(800, () =>
  pick([
    () => `echo "${sentence()}"`,
    () => `${word().toUpperCase()}_${word().toUpperCase()}="\${${word().toUpperCase()}:-${word()}}"`,
    () => `if [ -f "${word()}/${word()}.conf" ]; then ${pick(['npm ci', 'make build', 'docker build -t app .', 'terraform fmt -check', 'pytest -q'])}; fi`,
    () => `for f in ${word()}/*.${pick(['json', 'yaml', 'txt'])}; do cp "$f" /tmp/${word()}/; done`,
    () => `${pick(['npm ci', 'make build', 'docker build -t app .', 'terraform fmt -check', 'pytest -q'])}`,
    () => `# ${sentence()}`,
  ])(),
);
const TF_LINES = pool(600, () =>
  pick([
    () => `resource "aws_s3_bucket" "${word()}_${int(1, 999)}" {\n  bucket = "${word()}-${word()}-${int(1, 9999)}"\n}`,
    () => `resource "aws_iam_role" "${word()}_${int(1, 999)}" {\n  name = "${word()}-${word()}"\n  assume_role_policy = data.aws_iam_policy_document.${word()}.json\n}`,
    () => `variable "${word()}_${word()}" {\n  type    = string\n  default = "${word()}"\n}`,
    () => `# ${sentence()}`,
    () => `locals {\n  ${word()} = "${word()}-${int(1, 99)}"\n}`,
  ])(),
);

function fill(lines, bytes, head = '') {
  const out = [head];
  let n = head.length;
  while (n < bytes) {
    const line = pick(lines);
    out.push(line);
    n += line.length + 1;
  }
  return `${out.join('\n')}\n`;
}

function jsonDoc(bytes) {
  const obj = {};
  let n = 2;
  let i = 0;
  while (n < bytes) {
    const key = `${word()}_${i++}`;
    const value = pick([() => sentence(), () => int(0, 1e6), () => ({ [word()]: word(), [word()]: [int(0, 9), int(0, 9)] })])();
    obj[key] = value;
    n += key.length + JSON.stringify(value).length + 6;
  }
  return `${JSON.stringify(obj, null, 2)}\n`;
}

// The IMDS-relevant files: a few hundred in all, of every kind the scanner analyses, each padded with
// ordinary lines to a realistic size. About half are compliant (IMDSv2), half are not.
const imds = {
  shell(i) {
    const v1 = i % 2 === 0;
    const body = v1
      ? pick([
          `INSTANCE_ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)`,
          `REGION=$(wget -qO- http://169.254.169.254/latest/meta-data/placement/region)`,
          `aws ec2 modify-instance-metadata-options --instance-id "$INSTANCE_ID" --http-tokens optional`,
          `curl -fsS "http://169.254.169.254/latest/meta-data/iam/security-credentials/\${ROLE}"`,
        ])
      : `TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")\nINSTANCE_ID=$(curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id)`;
    return fill(SH_LINES, size(1500, 0.6, 20_000), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  },
  terraform(i) {
    const tokens = ['"optional"', '"required"', null][i % 3];
    const block = tokens ? `  metadata_options {\n    http_endpoint = "enabled"\n    http_tokens   = ${tokens}\n  }\n` : '';
    const head = `resource "aws_instance" "app_${i}" {\n  ami           = "ami-0${(i * 7919).toString(16).padStart(16, '0')}"\n  instance_type = "t3.micro"\n${block}}\n`;
    return fill(TF_LINES, size(2500, 0.6, 30_000), head);
  },
  cloudformationYaml(i) {
    const tokens = ['optional', 'required', null][i % 3];
    const md = tokens ? `        MetadataOptions:\n          HttpTokens: ${tokens}\n          HttpEndpoint: enabled\n` : '';
    const head = `AWSTemplateFormatVersion: '2010-09-09'\nDescription: ${sentence()}\nResources:\n  LaunchTemplate${i}:\n    Type: AWS::EC2::LaunchTemplate\n    Properties:\n      LaunchTemplateData:\n        ImageId: ami-0123456789abcdef0\n        InstanceType: t3.micro\n${md}`;
    let text = head;
    for (let r = 0; text.length < size(4000, 0.5, 60_000); r++) {
      text += `  Bucket${r}:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: ${word()}-${word()}-${r}\n      Tags:\n        - Key: team\n          Value: ${word()}\n`;
    }
    return text;
  },
  cloudformationJson(i) {
    const tokens = ['optional', 'required', null][i % 3];
    const data = { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' };
    if (tokens) data.MetadataOptions = { HttpTokens: tokens, HttpEndpoint: 'enabled' };
    const resources = { [`Instance${i}`]: { Type: 'AWS::EC2::Instance', Properties: data } };
    for (let r = 0; r < int(5, 60); r++) resources[`Queue${r}`] = { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${word()}-${r}` } };
    return `${JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 2)}\n`;
  },
  ansible(i) {
    const tokens = ['optional', 'required', null][i % 3];
    const md = tokens ? `        metadata_options:\n          http_tokens: ${tokens}\n` : '';
    return fill(
      YAML_LINES.map((l) => `# ${l}`),
      size(2000, 0.5, 20_000),
      `- hosts: localhost\n  tasks:\n    - name: launch ${word()}\n      amazon.aws.ec2_instance:\n        name: ${word()}-${i}\n        image_id: ami-0123456789abcdef0\n        instance_type: t3.micro\n${md}`,
    );
  },
  javascript(i) {
    const body = [
      `const res = await fetch('http://169.254.169.254/latest/meta-data/instance-id');\nexport const instanceId = await res.text();`,
      `const token = await (await fetch('http://169.254.169.254/latest/api/token', { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': '21600' } })).text();\nexport const region = await (await fetch('http://169.254.169.254/latest/meta-data/placement/region', { headers: { 'X-aws-ec2-metadata-token': token } })).text();`,
      `import * as ec2 from 'aws-cdk-lib/aws-ec2';\nexport function web${i}(scope, vpc) {\n  return new ec2.Instance(scope, 'Web${i}', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2()${i % 2 ? ', requireImdsv2: true' : ''} });\n}`,
    ][i % 3];
    // Padded with comments: the analyser parses these, and random lines would not be valid TypeScript.
    return fill(TS_LINES.map((l) => `// ${l}`), size(3000, 0.6, 30_000), `${body}\n`);
  },
  terraformUserData(i) {
    const tokens = ['"optional"', '"required"'][i % 2];
    const call = i % 3 === 0 ? 'curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id' : 'curl -s http://169.254.169.254/latest/meta-data/instance-id';
    const head = `resource "aws_instance" "worker_${i}" {\n  ami           = var.ami_id\n  instance_type = "t3.small"\n  metadata_options {\n    http_tokens = ${tokens}\n  }\n  user_data = <<-EOF\n    #!/bin/bash\n    TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")\n    echo "node=$(${call})" >> /etc/environment\n    systemctl enable --now worker-${i}\n  EOF\n}\n`;
    return fill(TF_LINES, size(2500, 0.6, 30_000), head);
  },
  dockerfile(i) {
    const run = i % 2 ? 'RUN REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region) \\\n    && echo "region=$REGION" > /etc/build-region' : 'RUN npm ci && npm run build';
    return `FROM node:20-bookworm AS build\nWORKDIR /app\nCOPY package*.json ./\n${run}\nCOPY . .\nFROM gcr.io/distroless/nodejs20\nCOPY --from=build /app /app\nHEALTHCHECK CMD curl -fsS http://localhost:${3000 + i}/health || exit 1\nCMD ["/app/server.js"]\n`;
  },
  workflow(i) {
    const step = i % 2 ? 'curl -s http://169.254.169.254/latest/meta-data/instance-id' : 'TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 60")\n          curl -s -H "X-aws-ec2-metadata-token: $TOKEN" http://169.254.169.254/latest/meta-data/instance-id';
    return fill(YAML_LINES.map((l) => `# ${l}`), size(2000, 0.5, 20_000), `name: deploy-${i}\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: [self-hosted, linux]\n    steps:\n      - uses: actions/checkout@v4\n      - name: Which runner\n        run: |\n          ${step}\n      - run: npm ci && npm test\n`);
  },
  gitlab(i) {
    return `stages: [build, deploy]\nbuild:\n  stage: build\n  script:\n    - npm ci\n    - npm run build\ndeploy:\n  stage: deploy\n  tags: [ec2-runner]\n  script:\n    - export AZ=$(curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone)\n    - ./deploy.sh "$AZ" ${i}\n`;
  },
  makefile(i) {
    return `.PHONY: build push\nREGION ?= $(shell curl -s http://169.254.169.254/latest/meta-data/placement/region)\n\nbuild:\n\tdocker build -t app-${i} .\n\npush: build\n\taws ecr get-login-password --region $(REGION) | docker login --username AWS --password-stdin $(REGISTRY)\n\tdocker push $(REGISTRY)/app-${i}\n`;
  },
  systemd(i) {
    return `[Unit]\nDescription=Node labels ${i}\nAfter=network-online.target\n\n[Service]\nType=oneshot\nExecStart=/bin/bash -c 'echo NODE_AZ=$$(curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone) > /run/node-labels'\n\n[Install]\nWantedBy=multi-user.target\n`;
  },
  powershell(i) {
    const call = i % 2 ? `Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id'` : `Invoke-RestMethod -Uri 'http://169.254.169.254/latest/meta-data/instance-id' -Headers @{ 'X-aws-ec2-metadata-token' = $token }`;
    return `$ErrorActionPreference = 'Stop'\n$token = Invoke-RestMethod -Method PUT -Uri 'http://169.254.169.254/latest/api/token' -Headers @{ 'X-aws-ec2-metadata-token-ttl-seconds' = '21600' }\n$instanceId = ${call}\nRename-Computer -NewName "web-${i}" -Force\nWrite-Output "Renamed $instanceId"\n`;
  },
  packer(i) {
    const tokens = ['"optional"', '"required"', null][i % 3];
    const md = tokens ? `  metadata_options {\n    http_tokens = ${tokens}\n  }\n` : '';
    return `source "amazon-ebs" "base_${i}" {\n  ami_name      = "base-${i}-{{timestamp}}"\n  instance_type = "t3.micro"\n  region        = "eu-west-1"\n  source_ami    = "ami-0123456789abcdef0"\n  ssh_username  = "ubuntu"\n${md}}\n\nbuild {\n  sources = ["source.amazon-ebs.base_${i}"]\n}\n`;
  },
};

// ---------------------------------------------------------------------------------------------
// The tree

function generate() {
  const started = performance.now();
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  const stats = { files: 0, bytes: 0, ignoredFiles: 0, imds: {} };
  const write = (rel, text, ignored = false) => {
    const path = join(tree, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    if (ignored) stats.ignoredFiles++;
    else {
      stats.files++;
      stats.bytes += Buffer.byteLength(text);
    }
  };
  const s = (n) => Math.max(1, Math.round(n * SCALE));

  write('.gitignore', 'node_modules/\nbuild/\n*.log\n.env\n');
  write('package.json', JSON.stringify({ name: 'bench-monorepo', private: true, workspaces: ['packages/*'] }, null, 2));
  write('README.md', fill(MD_LINES, 8000, '# Bench monorepo\n'));

  // Ordinary packages: code, tests, docs, configuration, a few scripts.
  const kinds = [
    // [weight, directory, extension, make]
    [30, 'src', 'ts', () => fill(TS_LINES, size(4500, 0.8, 120_000))],
    [8, 'src', 'tsx', () => fill(TS_LINES, size(4000, 0.7, 60_000))],
    [10, 'src', 'js', () => fill(TS_LINES, size(4000, 0.8, 100_000))],
    [12, 'test', 'test.ts', () => fill(TS_LINES, size(5000, 0.7, 80_000))],
    [12, 'py', 'py', () => fill(PY_LINES, size(4500, 0.8, 100_000))],
    [10, 'docs', 'md', () => fill(MD_LINES, size(5000, 0.9, 150_000))],
    [8, 'config', 'json', () => jsonDoc(size(3000, 1.0, 200_000))],
    [6, 'config', 'yaml', () => fill(YAML_LINES, size(2500, 0.8, 60_000))],
    [2, 'scripts', 'sh', () => fill(SH_LINES, size(1500, 0.6, 20_000), '#!/bin/sh\n')],
    [2, 'infra', 'tf', () => fill(TF_LINES, size(2500, 0.7, 30_000))],
  ];
  const totalWeight = kinds.reduce((n, k) => n + k[0], 0);
  const packages = s(125);
  const filesPerPackage = 400;
  for (let p = 0; p < packages; p++) {
    const pkg = `packages/${word()}-${p}`;
    write(`${pkg}/package.json`, JSON.stringify({ name: `@bench/${p}`, version: `1.${p}.0`, scripts: { build: 'tsc -b', test: 'node --test' } }, null, 2));
    write(`${pkg}/.gitignore`, 'tmp/\n*.bak\ncoverage/\n');
    for (let f = 0; f < filesPerPackage; f++) {
      let r = random() * totalWeight;
      const kind = kinds.find((k) => (r -= k[0]) < 0) ?? kinds[0];
      write(`${pkg}/${kind[1]}/${word()}${f % 13}/${word()}-${f}.${kind[2]}`, kind[3]());
    }
    // Ignored by the nested .gitignore.
    for (let t = 0; t < 12; t++) write(`${pkg}/tmp/${word()}-${t}.json`, jsonDoc(size(2000, 0.5, 20_000)), true);
    for (let t = 0; t < 4; t++) write(`${pkg}/src/old-${t}.ts.bak`, fill(TS_LINES, 3000), true);
    if (p % 5 === 0) write(`${pkg}/package-lock.json`, jsonDoc(size(600_000, 0.5, 3_000_000)));
  }
  // A few documents that explain the metadata service: rg finds them, the scanner has no analyser for Markdown.
  for (let d = 0; d < s(20); d++) write(`docs/runbooks/imds-${d}.md`, fill(MD_LINES, 4000, `# Instance metadata\nNever call http://169.254.169.254/latest/meta-data/ without a token.\n`));

  // The IMDS-relevant files: a few hundred, of every kind the scanner analyses, in their usual places.
  const relevant = [
    ['shell', s(120), (i) => `packages/${word()}-${i % packages}/scripts/bootstrap-${i}.sh`],
    ['terraform', s(80), (i) => `infra/terraform/modules/${word()}-${i % 40}/instance-${i}.tf`],
    ['cloudformationYaml', s(50), (i) => `deploy/cloudformation/${word()}-${i}.yaml`],
    ['cloudformationJson', s(30), (i) => `deploy/cloudformation/${word()}-${i}.template.json`],
    ['ansible', s(40), (i) => `ansible/playbooks/${word()}-${i}.yml`],
    ['packer', s(30), (i) => `packer/${word()}-${i}.pkr.hcl`],
    ['javascript', s(45), (i) => `packages/${word()}-${i % packages}/src/aws/${word()}-${i}.ts`],
    ['terraformUserData', s(40), (i) => `infra/terraform/workers/${word()}-${i}/main.tf`],
    ['dockerfile', s(40), (i) => `packages/${word()}-${i % packages}/Dockerfile`],
    ['workflow', s(30), (i) => `.github/workflows/deploy-${i}.yml`],
    ['gitlab', s(10), (i) => `services/${word()}-${i}/.gitlab-ci.yml`],
    ['makefile', s(20), (i) => `packages/${word()}-${i % packages}/Makefile`],
    ['systemd', s(20), (i) => `deploy/systemd/node-labels-${i}.service`],
    ['powershell', s(20), (i) => `deploy/windows/bootstrap-${i}.ps1`],
  ];
  for (const [kind, n, where] of relevant) {
    for (let i = 0; i < n; i++) write(where(i), imds[kind](i));
    stats.imds[kind] = n;
  }

  // Ignored by the root .gitignore: dependencies and build output.
  for (let i = 0; i < s(8000); i++) write(`node_modules/${word()}-${i % 400}/lib/${word()}-${i}.js`, fill(TS_LINES, size(3000, 0.8, 50_000)), true);
  for (let i = 0; i < s(3000); i++) write(`build/${word()}-${i % 100}/${word()}-${i}.js`, fill(TS_LINES, size(3000, 0.8, 50_000)), true);
  const generated = performance.now();

  // A git repository with everything committed, as a monorepo checkout is.
  const git = (...a) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', '-c', 'core.looseCompression=1', '-c', 'commit.gpgSign=false', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false', ...a], { cwd: tree, stdio: ['ignore', 'ignore', 'inherit'] });
  git('init', '-q');
  // No background `git gc --auto` after the commit: it would compete with the measurements.
  git('config', 'gc.auto', '0');
  git('config', 'maintenance.auto', 'false');
  git('add', '-A');
  git('commit', '-q', '--no-verify', '-m', 'bench tree');
  const committed = performance.now();
  writeFileSync(join(tree, '.bench-manifest.json'), JSON.stringify({ version: GENERATOR_VERSION, seed: SEED, scale: SCALE, stats }, null, 2));
  console.log(
    `generated ${stats.files.toLocaleString()} files (${(stats.bytes / 1e6).toFixed(0)} MB) + ${stats.ignoredFiles.toLocaleString()} ignored in ` +
      `${((generated - started) / 1000).toFixed(1)} s, committed in ${((committed - generated) / 1000).toFixed(1)} s`,
  );
  return stats;
}

function manifest() {
  try {
    const m = JSON.parse(readFileSync(join(tree, '.bench-manifest.json'), 'utf8'));
    return m.version === GENERATOR_VERSION && m.seed === SEED && m.scale === SCALE ? m.stats : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

function ensureRipgrep() {
  if (spawnSync('rg', ['--version']).status === 0) return;
  console.log('ripgrep is missing; installing it with apt-get');
  execFileSync('apt-get', ['install', '-y', 'ripgrep'], { stdio: 'inherit' });
}

/** Every analyser's needles: its `needles`, or for one without, the list its module exports. */
async function collectNeedles() {
  const dist = (p) => new URL(`../packages/scanner/dist/${p}`, import.meta.url).href;
  const { ANALYSERS } = await import(dist('index.js'));
  const fallbacks = {
    cloudformation: ['cloudformation/detect.js', 'TEMPLATE_NEEDLES'],
    terraform: ['terraform/needles.js', 'TERRAFORM_NEEDLES'],
    ansible: ['ansible/analyser.js', 'ANSIBLE_NEEDLES'],
    packer: ['packer/analyser.js', 'PACKER_NEEDLES'],
  };
  const needles = new Set();
  const sources = [];
  for (const a of ANALYSERS) {
    let list = a.needles;
    let from = 'needles';
    if (!list && fallbacks[a.name]) {
      try {
        list = (await import(dist(fallbacks[a.name][0])))[fallbacks[a.name][1]];
        from = fallbacks[a.name][1];
      } catch {
        list = undefined;
      }
    }
    sources.push(`${a.name}: ${list ? `${list.length} (${from})` : 'none found'}`);
    for (const n of list ?? []) needles.add(n);
  }
  return { needles: [...needles], sources };
}

/** One run under GNU time: wall and CPU seconds, peak RSS in MB, and the output. */
function timeIt(cmd, argv) {
  const report = join(benchRoot, 'time.txt');
  const r = spawnSync('/usr/bin/time', ['-o', report, '-f', '%e %U %S %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  const [wall, user, sys, rss] = readFileSync(report, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return { ms: wall * 1000, cpu: user + sys, rss: rss / 1024, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------

mkdirSync(benchRoot, { recursive: true });
let stats = args.regenerate ? undefined : manifest();
if (stats) console.log(`reusing ${tree} (${stats.files.toLocaleString()} files, ${(stats.bytes / 1e6).toFixed(0)} MB); --regenerate to rebuild it`);
else stats = generate();
ensureRipgrep();

const { needles, sources } = await collectNeedles();
const ours = ['--', cli, 'scan', '--format', 'json', '--quiet', tree].slice(1);
const oursOneThread = ['-e', `import(${JSON.stringify(new URL('../packages/scanner/dist/index.js', import.meta.url).href)}).then((m) => m.scan([${JSON.stringify(tree)}], { cwd: process.cwd(), threads: 0 })).then((r) => process.stdout.write(JSON.stringify({ findings: r.findings.length, errors: r.errors.length })))`];
const rg = ['--hidden', '-g', '!.git', '--files-with-matches', '--ignore-case', '--fixed-strings', ...needles.flatMap((n) => ['-e', n]), tree];

// Warm the page cache and check the outputs once.
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');
const loadBefore = load();
const first = timeIt(process.execPath, ours);
if (first.status !== 0 && first.status !== 1) fail(`imds-guard exited ${first.status}: ${first.stderr}`);
const report = JSON.parse(first.stdout);
const rgFirst = timeIt('rg', rg);
const rgFiles = rgFirst.stdout.split('\n').filter(Boolean).length;
timeIt(process.execPath, oursOneThread);

const samples = { ours: [], rg: [], one: [] };
for (let r = 0; r < RUNS; r++) {
  samples.ours.push(timeIt(process.execPath, ours));
  samples.rg.push(timeIt('rg', rg));
  samples.one.push(timeIt(process.execPath, oursOneThread));
}
const loadAfter = load();
const med = (runs, key) => median(runs.map((x) => x[key]));
const rgVersion = execFileSync('rg', ['--version'], { encoding: 'utf8' }).split('\n')[0];

const mb = (stats.bytes / 1e6).toFixed(0);
const fps = (ms) => Math.round(stats.files / (ms / 1000)).toLocaleString('en-US');
const row = (name, runs) => {
  const ms = med(runs, 'ms');
  return `${name.padEnd(30)}${`${(ms / 1000).toFixed(2)} s`.padStart(8)}${`${med(runs, 'cpu').toFixed(2)} s`.padStart(10)}${fps(ms).padStart(11)}${`${Math.max(...runs.map((x) => x.rss)).toFixed(0)} MB`.padStart(10)}`;
};
// Runs alternate, so each of ours has an rg run next to it under the same load: the median of
// those ratios says more than the ratio of medians on a machine that is not idle.
const ratio = (a, b, key) => median(a.map((x, i) => x[key] / b[i][key])).toFixed(2);
console.log(`
tree:     ${stats.files.toLocaleString('en-US')} files, ${mb} MB scanned (+ ${stats.ignoredFiles.toLocaleString('en-US')} ignored by .gitignore), a git repository
          IMDS-relevant: ${Object.entries(stats.imds).map(([k, n]) => `${n} ${k}`).join(', ')}
needles:  ${needles.length} (${sources.join('; ')})
machine:  ${availableParallelism()} cores, Node ${process.version}, ${rgVersion}; load average ${loadBefore} before, ${loadAfter} after
runs:     median of ${RUNS}, warm page cache

                                  wall       CPU    files/s  peak RSS
${row('imds-guard scan (CLI)', samples.ours)}
${row('imds-guard scan (1 thread)', samples.one)}
${row(`rg -l -i -F (${needles.length} needles)`, samples.rg)}
imds-guard / rg, run by run: ${ratio(samples.ours, samples.rg, 'ms')}× wall, ${ratio(samples.ours, samples.rg, 'cpu')}× CPU (goal: within 3×; peak RSS under 400 MB)

imds-guard: ${report.findings.length} findings, ${report.errors?.length ?? 0} file errors; rg: ${rgFiles} files contain a needle
wall (ms): CLI ${samples.ours.map((x) => Math.round(x.ms)).join(' ')}; 1 thread ${samples.one.map((x) => Math.round(x.ms)).join(' ')}; rg ${samples.rg.map((x) => Math.round(x.ms)).join(' ')}`);
