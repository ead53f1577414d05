// The shell a Terraform module embeds: how a template decodes into the text the shell sees, where
// findings land in the host, how fixes are escaped for it, which files a module may read, and how
// user data and the instance's metadata options are judged together.
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import type { Node } from 'web-tree-sitter';
import { terraformAnalyser } from '../src/terraform/analyser.ts';
import { heredocShell, quotedShell, templateFileShell } from '../src/terraform/template-text.ts';
import { scanWith } from '../src/scan.ts';
import { getParser } from '../src/tree-sitter.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const analyser = terraformAnalyser();
const tree = tempTree('imds-guard-tf-user-data-');
after(() => tree.cleanup());

let dirs = 0;
async function scanModule(files: Record<string, string>) {
  const dir = `m${++dirs}`;
  for (const [name, text] of Object.entries(files)) tree.write(`${dir}/${name}`, text);
  const result = await scanWith([analyser], [dir], { cwd: tree.root });
  return { ...result, dir };
}

const brief = (f: Finding) => `${f.file}:${f.line}:${f.column} ${f.ruleId}/${f.messageId}`;
const fixesOf = (findings: readonly Finding[], file: string, safety: 'safe' | 'all') =>
  findings.filter((f) => f.file === file && f.fix && (safety === 'all' || f.fix.safety === 'safe')).map((f) => f.fix!);

async function parseErrors(text: string): Promise<number> {
  return (await analyser.countSyntaxErrors(text, 'main.tf'));
}

/** The first node of `type` in a parse of `text`; the tree stays alive for the test's duration. */
async function firstNode(text: string, type: string): Promise<Node> {
  const parser = await getParser('terraform');
  const parsed = parser.parse(text)!;
  const node = parsed.rootNode.descendantsOfType(type)[0];
  assert.ok(node, `no ${type} in the text`);
  return node;
}

describe('terraform templates as shell text', () => {
  it('strips the common indentation of <<- and decodes $${ and %%{; interpolations become words, directives nothing', async () => {
    const host = [
      'x = <<-EOT',
      '    #!/bin/bash',
      '    echo "$${HOME}" ${var.unknown} 100%%{x}',
      '    %{ if var.debug }',
      '      set -x',
      '    %{ endif }',
      '  EOT',
      '',
    ].join('\n');
    const shell = heredocShell(host, await firstNode(host, 'heredoc_template'), {})!;
    // The closing marker's own indentation does not count: four spaces go from every line.
    assert.equal(shell.text, ['#!/bin/bash', 'echo "${HOME}" __tf_value__ 100%{x}', '', '  set -x', '', ''].join('\n'));
    const echo = shell.text.indexOf('echo');
    assert.equal(host.slice(shell.toHost(echo), shell.toHost(echo) + 4), 'echo');
    const home = shell.text.indexOf('${HOME}');
    assert.equal(host.slice(shell.toHost(home), shell.toHostEnd(home + '${HOME}'.length)), '$${HOME}');
  });

  it('removes the white space a strip marker asks for, new lines included', async () => {
    const host = ['x = <<EOT', 'a', '%{~ for h in var.hosts ~}', 'ping ${h}', '%{~ endfor ~}', 'b', 'EOT', ''].join('\n');
    const shell = heredocShell(host, await firstNode(host, 'heredoc_template'), {}, () => undefined)!;
    assert.equal(shell.text, 'aping __tf_value__b\n');
  });

  it('decodes backslash escapes in quoted strings and writes fixes back escaped', async () => {
    const host = 'x = "#!/bin/sh\\necho \\"a\\\\b\\" ${var.x}\\n"\n';
    const shell = quotedShell(host, await firstNode(host, 'quoted_template'), {}, () => 'v')!;
    assert.equal(shell.text, '#!/bin/sh\necho "a\\b" v\n');
    assert.equal(shell.escape!(': "${T:=$(curl -s "u")}"\n', 0), ': \\"$${T:=$(curl -s \\"u\\")}\\"\\n');
  });

  it('escapes ${ and %{ in a heredoc and indents new lines like the stripped indentation', async () => {
    const host = ['x = <<-EOT', '    echo one', '  EOT', ''].join('\n');
    const shell = heredocShell(host, await firstNode(host, 'heredoc_template'), {})!;
    assert.equal(shell.escape!('a ${B} %{c}\nd\n', host.indexOf('echo')), 'a $${B} %%{c}\n    d\n    ');
  });

  it('refuses a fix whose new line would read as the closing marker', async () => {
    const host = ['x = <<EOT', 'echo one', 'EOT', ''].join('\n');
    const shell = heredocShell(host, await firstNode(host, 'heredoc_template'), {})!;
    assert.equal(shell.escape!('EOT\n', host.indexOf('echo')), undefined);
  });

  it('reads a templatefile() target as a template, with the variables it is given', async () => {
    const text = '#!/bin/bash\necho ${cluster_name} $${HOME} ${other}\n';
    const shell = templateFileShell(await getParser('terraform'), text, {}, (e) => (e.text === 'cluster_name' ? 'prod' : undefined));
    assert.equal(shell.text, '#!/bin/bash\necho prod ${HOME} __tf_value__\n');
    assert.equal(shell.toHost(shell.text.indexOf('${HOME}')), text.indexOf('$${HOME}'));
  });

  it('reads a template Terraform could not render as plain text, without fixes', async () => {
    const text = '#!/bin/bash\necho ${HOME:-/root}\n';
    const shell = templateFileShell(await getParser('terraform'), text, {});
    assert.equal(shell.text, text);
    assert.equal(shell.escape, undefined);
  });
});

const WEB_REQUIRED = `resource "aws_instance" "web" {
  ami           = "ami-0abc"
  instance_type = "t3.micro"

  user_data = <<-EOT
    #!/bin/bash
    set -euo pipefail
    REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)
    echo "region=$\${REGION}" >> /etc/environment
  EOT

  metadata_options {
    http_tokens = "required"
  }
}
`;

describe('terraform user data: findings and fixes', () => {
  it('reports a tokenless request in the user data of an instance that requires IMDSv2 as breaking at boot', async () => {
    const { findings, dir } = await scanModule({ 'main.tf': WEB_REQUIRED });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:8:14 no-imdsv1-request/breaksAtBoot`]);
    assert.match(findings[0]!.message, /but aws_instance\.web requires IMDSv2.*\(in the user_data of aws_instance\.web\)$/);
  });

  it('writes the fix into the heredoc with $${ and its indentation, and the fixed file parses and scans clean', async () => {
    const { findings, dir } = await scanModule({ 'main.tf': WEB_REQUIRED });
    const fixed = applyFixes(WEB_REQUIRED, fixesOf(findings, `${dir}/main.tf`, 'safe')).text;
    const lines = fixed.split('\n');
    assert.equal(lines[7], '    : "$${IMDS_TOKEN:=$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"');
    assert.equal(lines[8], '    REGION=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s http://169.254.169.254/latest/meta-data/placement/region)');
    assert.equal(await parseErrors(fixed), 0);
    const again = await scanModule({ 'main.tf': fixed });
    assert.deepEqual(again.findings.map(brief), []);
  });

  it('names the user-data lines in the IMDS002 finding of an instance that allows IMDSv1, and fixes them with it', async () => {
    const optional = WEB_REQUIRED.replace('"required"', '"optional"');
    const { findings, dir } = await scanModule({ 'main.tf': optional });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:8:14 no-imdsv1-request/missingToken`, `${dir}/main.tf:13:5 no-imdsv1-instance-config/tokensOptional`]);
    const config = findings[1]!;
    assert.match(config.message, /accept IMDSv1 requests; fix its user data first \(line 8\)$/);
    // The unsafe fix alone makes tokens required and sends a token from the user data.
    const fixed = applyFixes(optional, [config.fix!]).text;
    assert.match(fixed, /http_tokens = "required"/);
    assert.match(fixed, /REGION=\$\(curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s /);
    assert.equal(await parseErrors(fixed), 0);
    assert.deepEqual((await scanModule({ 'main.tf': fixed })).findings.map(brief), []);
    // Both fixes together apply the shared edits once.
    assert.equal(applyFixes(optional, fixesOf(findings, `${dir}/main.tf`, 'all')).text, fixed);
  });

  it('judges an instance by the launch template it takes its options from, and the account default', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `resource "aws_launch_template" "app" {
  name_prefix = "app-"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "from_template" {
  launch_template {
    id = aws_launch_template.app.id
  }
  user_data = "#!/bin/sh\\ncurl -fsS http://169.254.169.254/latest/meta-data/instance-id > /run/id\\n"
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:12:27 no-imdsv1-request/breaksAtBoot`]);
    const covered = await scanModule({
      'main.tf': `resource "aws_ec2_instance_metadata_defaults" "account" {
  http_tokens = "required"
}

resource "aws_instance" "batch" {
  ami       = "ami-0abc"
  user_data = "#!/bin/sh\\nwget -qO- http://169.254.169.254/latest/meta-data/instance-id\\n"
}
`,
    });
    assert.deepEqual(covered.findings.map(brief), [`${covered.dir}/main.tf:5:1 no-imdsv1-instance-config/coveredByDefault`, `${covered.dir}/main.tf:7:27 no-imdsv1-request/breaksAtBoot`]);
  });

  it('reads the user_data input of the terraform-aws-modules instance and Auto Scaling modules', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `module "web" {
  source  = "terraform-aws-modules/ec2-instance/aws"
  version = "5.6.1"
  metadata_options = {
    http_tokens = "required"
  }
  user_data = <<-EOT
    #!/bin/bash
    curl -s http://169.254.169.254/latest/meta-data/instance-id
  EOT
}

module "asg" {
  source    = "terraform-aws-modules/autoscaling/aws"
  version   = "7.4.0"
  user_data = base64encode("#!/bin/bash\\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\\n")
}
`,
    });
    assert.deepEqual(findings.map(brief), [
      `${dir}/main.tf:9:5 no-imdsv1-request/breaksAtBoot`,
      `${dir}/main.tf:13:1 no-imdsv1-instance-config/tokensMissing`,
      `${dir}/main.tf:16:42 no-imdsv1-request/missingToken`,
    ]);
    assert.match(findings[0]!.message, /but module\.web requires IMDSv2/);
    assert.match(findings[1]!.message, /; fix its user data first \(line 16\)$/);
  });

  it('reads each part of a cloudinit_config data source as user data', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `data "cloudinit_config" "node" {
  gzip          = true
  base64_encode = true

  part {
    content_type = "text/cloud-config"
    content      = yamlencode({ packages = ["jq"] })
  }

  part {
    content_type = "text/x-shellscript"
    content      = <<-EOT
      #!/bin/bash
      curl -s http://169.254.169.254/latest/meta-data/instance-id > /etc/node-id
    EOT
  }
}

resource "aws_launch_template" "node" {
  user_data = data.cloudinit_config.node.rendered
  metadata_options {
    http_tokens = "required"
  }
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:14:7 no-imdsv1-request/breaksAtBoot`]);
    assert.match(findings[0]!.message, /but aws_launch_template\.node requires IMDSv2/);
    // The gzip of the rendered result does not stop a fix of the text in the file.
    assert.ok(findings[0]!.fix);
  });

  it('puts a known one-word value in place of its interpolation, but never a whole command', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `locals {
  imds  = "http://169.254.169.254/latest/meta-data"
  fetch = "curl -s http://169.254.169.254/latest/meta-data/instance-id"
}

resource "aws_instance" "w" {
  ami       = "ami-0abc"
  user_data = <<-EOT
    #!/bin/bash
    curl -s \${local.imds}/local-ipv4
    \${local.fetch}
  EOT
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:6:1 no-imdsv1-instance-config/tokensMissing`, `${dir}/main.tf:10:5 no-imdsv1-request/missingToken`]);
    assert.match(findings[1]!.message, /reads http:\/\/169\.254\.169\.254\/latest\/meta-data\/local-ipv4 /);
  });

  it('does not call a request breaking when the metadata endpoint is off altogether', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `resource "aws_instance" "off" {
  ami       = "ami-0abc"
  user_data = "#!/bin/sh\\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\\n"
  metadata_options {
    http_endpoint = "disabled"
  }
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:3:27 no-imdsv1-request/missingToken`]);
  });

  it('offers a fix in a quoted string that keeps the file valid', async () => {
    const text = `resource "aws_instance" "w" {
  ami       = "ami-0abc"
  user_data = "#!/bin/sh\\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\\necho \\"$ID\\"\\n"
  metadata_options {
    http_tokens = "required"
  }
}
`;
    const { findings, dir } = await scanModule({ 'main.tf': text });
    const fixed = applyFixes(text, fixesOf(findings, `${dir}/main.tf`, 'safe')).text;
    assert.match(fixed, /user_data = "#!\/bin\/sh\\n: \\"\$\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT \\"http:/);
    assert.equal(await parseErrors(fixed), 0);
    assert.deepEqual((await scanModule({ 'main.tf': fixed })).findings.map(brief), []);
  });

  it('reports base64gzip() user data without a fix, and a Python user data not at all', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `resource "aws_launch_template" "a" {
  user_data = base64gzip(<<-EOT
    #!/bin/bash
    curl -s http://169.254.169.254/latest/meta-data/local-ipv4
  EOT
  )
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_launch_template" "b" {
  user_data = base64encode(<<-EOT
    #!/usr/bin/env python3
    import urllib.request
    urllib.request.urlopen("http://169.254.169.254/latest/meta-data/instance-id")
  EOT
  )
  metadata_options {
    http_tokens = "required"
  }
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:4:5 no-imdsv1-request/breaksAtBoot`]);
    assert.equal(findings[0]!.fix, undefined);
  });
});

describe('terraform user data: files the module reads', () => {
  const TEMPLATE = '#!/bin/bash\necho "joining ${cluster_name}"\nID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)\necho "$${ID}"\n';

  it('attributes findings in a templatefile() target to that file, and escapes the fix for the template', async () => {
    const { findings, files, dir } = await scanModule({
      'main.tf': `resource "aws_launch_template" "nodes" {
  name_prefix = "nodes-"
  user_data   = base64encode(templatefile("\${path.module}/templates/boot.sh.tpl", { cluster_name = "prod" }))
}
`,
      'templates/boot.sh.tpl': TEMPLATE,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:1:1 no-imdsv1-instance-config/tokensMissing`, `${dir}/templates/boot.sh.tpl:3:6 no-imdsv1-request/missingToken`]);
    assert.match(findings[0]!.message, /; fix its user data first \(templates\/boot\.sh\.tpl:3\)$/);
    assert.match(findings[1]!.message, /\(in the user_data of aws_launch_template\.nodes, read by templatefile\(\) in main\.tf\)$/);
    assert.ok(files.some((f) => f.file === `${dir}/templates/boot.sh.tpl` && f.text === TEMPLATE), 'the scan keeps the template for --fix');
    const fixed = applyFixes(TEMPLATE, fixesOf(findings, `${dir}/templates/boot.sh.tpl`, 'safe')).text;
    assert.match(fixed, /^: "\$\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT /m);
    // The IMDS002 fix is in main.tf and cannot carry the template's edits.
    assert.ok(findings[0]!.fix!.edits.every((e) => e.start < 200));
  });

  it('reads file() targets as plain text', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `resource "aws_instance" "w" {
  ami       = "ami-0abc"
  user_data = file("\${path.module}/boot.sh")
  metadata_options {
    http_tokens = "required"
  }
}
`,
      'boot.sh': '#!/bin/bash\nexport HOME_DIR="${HOME}"\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\n',
    });
    assert.deepEqual(findings.map(brief), [`${dir}/boot.sh:3:1 no-imdsv1-request/breaksAtBoot`]);
    const fixed = applyFixes('#!/bin/bash\nexport HOME_DIR="${HOME}"\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\n', [findings[0]!.fix!]).text;
    assert.match(fixed, /^: "\$\{IMDS_TOKEN:=/m);
  });

  it('never reads outside the scanned tree, and a missing file is no error', async () => {
    tree.write('outside/secret.sh', '#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/iam/security-credentials/\n');
    const dir = `m${++dirs}`;
    tree.write(`${dir}/root/main.tf`, `resource "aws_instance" "w" {
  ami       = "ami-0abc"
  user_data = file("\${path.module}/../../outside/secret.sh")
  metadata_options {
    http_tokens = "required"
  }
}
resource "aws_instance" "x" {
  ami       = "ami-0abc"
  user_data = file("\${path.module}/linked.sh")
  metadata_options {
    http_tokens = "required"
  }
}
resource "aws_instance" "y" {
  ami       = "ami-0abc"
  user_data = file("\${path.module}/missing.sh")
  metadata_options {
    http_tokens = "required"
  }
}
`);
    symlinkSync(tree.path('outside/secret.sh'), tree.path(`${dir}/root/linked.sh`));
    // Scanned from inside the module's parent: `outside/` is not part of the scan.
    const result = await scanWith([analyser], ['root'], { cwd: tree.path(dir) });
    assert.deepEqual(result.findings.map(brief), []);
    assert.deepEqual(result.errors, []);
  });
});

describe('terraform: shell that runs on the Terraform runner or over SSH', () => {
  it('says where local-exec and external programs run, and leaves other interpreters alone', async () => {
    const { findings, dir } = await scanModule({
      'main.tf': `resource "terraform_data" "register" {
  provisioner "local-exec" {
    command = "curl -s http://169.254.169.254/latest/meta-data/instance-id > runner-id.txt"
  }
  provisioner "local-exec" {
    interpreter = ["python3", "-c"]
    command     = "import urllib.request; urllib.request.urlopen('http://169.254.169.254/latest/meta-data/')"
  }
}

data "external" "runner" {
  program = ["bash", "-c", <<-EOT
    az=$(curl -s http://169.254.169.254/latest/meta-data/placement/availability-zone)
    echo "{\\"az\\": \\"$az\\"}"
  EOT
  ]
}
`,
    });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:3:16 no-imdsv1-request/missingToken`, `${dir}/main.tf:13:10 no-imdsv1-request/missingToken`]);
    assert.match(findings[0]!.message, /\(in a local-exec provisioner of terraform_data\.register; runs on the Terraform runner, not on an instance\)$/);
    assert.match(findings[1]!.message, /\(in the program of data\.external\.runner; runs on the Terraform runner, not on an instance\)$/);
  });

  it('reads remote-exec inline commands as one script on the instance', async () => {
    const text = `resource "aws_instance" "w" {
  ami = "ami-0abc"
  metadata_options {
    http_tokens = "required"
  }
  provisioner "remote-exec" {
    inline = [
      "sudo yum install -y jq",
      "curl -s http://169.254.169.254/latest/meta-data/instance-id | sudo tee /etc/instance-id",
    ]
  }
}
`;
    const { findings, dir } = await scanModule({ 'main.tf': text });
    assert.deepEqual(findings.map(brief), [`${dir}/main.tf:9:8 no-imdsv1-request/breaksAtBoot`]);
    const fixed = applyFixes(text, fixesOf(findings, `${dir}/main.tf`, 'safe')).text;
    assert.match(fixed, /"sudo yum install -y jq",\n {6}": \\"\$\$\{IMDS_TOKEN:=.*\\"\\ncurl -H \\"X-aws-ec2-metadata-token: \$IMDS_TOKEN\\" -s http/);
    assert.equal(await parseErrors(fixed), 0);
    assert.deepEqual((await scanModule({ 'main.tf': fixed })).findings.map(brief), []);
  });
});
