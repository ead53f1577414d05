import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { countSyntaxErrors } from '../src/fix-check.ts';
import { packerAnalyser } from '../src/packer/analyser.ts';
import { provisionerPieces } from '../src/packer/provisioners.ts';
import { withTree } from '../src/tree-sitter.ts';

// Test texts are built from pieces, so no line of this file is a runnable request.
const IMDS = ['http://169', '254', '169', '254'].join('.');
const ID_URL = `${IMDS}/latest/meta-data/instance-id`;

async function analyse(text: string, file = 'build.pkr.hcl'): Promise<Finding[]> {
  const [analysis] = await packerAnalyser().analyse([{ path: file, file, text }]);
  return [...analysis!.findings];
}

const brief = (findings: readonly Finding[]) => findings.map((f) => `${f.line}:${f.column} ${f.messageId}${f.fix ? ' fix' : ''}`);
const fixAll = (text: string, findings: readonly Finding[]) => applyFixes(text, findings.flatMap((f) => (f.fix && f.fix.safety === 'safe' ? [f.fix] : []))).text;
const hclErrors = (text: string) => withTree('hcl', text, countSyntaxErrors);

const build = (provisioner: string, extra = '') => `${extra}build {\n  sources = ["source.amazon-ebs.x"]\n\n${provisioner}}\n`;

describe('packer inline commands: the script the shell sees', () => {
  it('joins elements by newlines and decodes HCL escapes; interpolations become unknown variables', async () => {
    const text = build(`  provisioner "shell" {\n    inline = [\n      "echo \\"a\\\\b\\" \\u00e9 $\${HOME}",\n      "curl -s \${var.base}/x %%{y}",\n    ]\n  }\n`);
    const pieces = await withTree('hcl', text, (tree) => provisionerPieces(tree, text));
    assert.equal(pieces.length, 1);
    assert.equal(pieces[0]!.piece.text, 'echo "a\\b" \u00e9 ${HOME}\ncurl -s ${__hcl_1}/x %{y}');
    assert.deepEqual(pieces[0]!.sources, ['source.amazon-ebs.x']);
    const at = pieces[0]!.piece.text.indexOf('\u00e9');
    assert.equal(text.slice(pieces[0]!.piece.toHost(at), pieces[0]!.piece.toHostEnd(at + 1)), '\\u00e9');
  });

  it('reads heredoc elements verbatim and takes sources from nested source blocks', async () => {
    const text = `build {\n  source "source.amazon-ebs.web" {\n    name = "web"\n  }\n  provisioner "shell" {\n    inline = [\n      <<EOT\ncurl -s $\${X:-1}\nEOT\n    ]\n  }\n}\n`;
    const [script] = await withTree('hcl', text, (tree) => provisionerPieces(tree, text));
    assert.equal(script!.piece.text, 'curl -s ${X:-1}\n');
    assert.deepEqual(script!.sources, ['source.amazon-ebs.web']);
  });

  it('ignores provisioners that are not shells, and lists of non-strings', async () => {
    const text = build(`  provisioner "file" {\n    inline = ["curl -s ${ID_URL}"]\n  }\n  provisioner "shell" {\n    inline = local.commands\n  }\n`);
    assert.deepEqual(await withTree('hcl', text, (tree) => provisionerPieces(tree, text)), []);
  });
});

describe('packer inline commands: findings and fixes', () => {
  it('reports at the request in the element, and fixes with a new element in the same layout', async () => {
    const text = build(`  provisioner "shell" {\n    inline = [\n      "set -e",\n      "ID=$(curl -s ${ID_URL})",\n    ]\n  }\n`);
    const findings = await analyse(text);
    assert.deepEqual(brief(findings), ['7:13 missingToken fix']);
    assert.match(findings[0]!.message, /\(in the inline commands of provisioner "shell"\)$/);
    const fixed = fixAll(text, findings);
    const lines = fixed.split('\n');
    assert.match(lines[6]!, /^ {6}": \\"\$\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT \\"http:\/\/169\.254\.169\.254\/latest\/api\/token\\" .*\)\}\\"",$/);
    assert.match(lines[7]!, /^ {6}"ID=\$\(curl -H \\"X-aws-ec2-metadata-token: \$IMDS_TOKEN\\" -s /);
    assert.equal(await hclErrors(fixed), 0);
    assert.deepEqual(brief(await analyse(fixed)), []);
  });

  it('splits a one-line list with ", " and keeps CRLF line ends', async () => {
    const text = build(`  provisioner "shell" {\r\n    inline = ["curl -s ${ID_URL}"]\r\n  }\r\n`).replaceAll('\n', '\r\n').replaceAll('\r\r', '\r');
    const findings = await analyse(text);
    const fixed = fixAll(text, findings);
    assert.match(fixed, /inline = \[": \\"\$\$\{IMDS_TOKEN:=.*\\"", "curl -H /);
    assert.ok(!/[^\r]\n/.test(fixed));
    assert.equal(await hclErrors(fixed), 0);
    assert.deepEqual(brief(await analyse(fixed)), []);
  });

  it('writes $${ in a heredoc element, and offers no fix inside an indented heredoc', async () => {
    const heredoc = build(`  provisioner "shell" {\n    inline = [\n      <<EOT\nset -e\ncurl -s ${ID_URL}\nEOT\n    ]\n  }\n`);
    const findings = await analyse(heredoc);
    assert.deepEqual(brief(findings), ['8:1 missingToken fix']);
    const fixed = fixAll(heredoc, findings);
    assert.match(fixed, /\nset -e\n: "\$\$\{IMDS_TOKEN:=/);
    assert.equal(await hclErrors(fixed), 0);
    assert.deepEqual(brief(await analyse(fixed)), []);

    const indented = build(`  provisioner "shell" {\n    inline = [\n      <<-EOT\n        curl -s ${ID_URL}\n      EOT\n    ]\n  }\n`);
    assert.deepEqual(brief(await analyse(indented)), ['6:7 missingToken']);
  });

  it('does not guess a host that comes from an interpolation', async () => {
    const text = build(`  provisioner "shell" {\n    inline = ["curl -s \${var.metadata}/latest/meta-data/instance-id"]\n  }\n`, `variable "metadata" {\n  default = "${IMDS}"\n}\n`);
    assert.deepEqual(brief(await analyse(text)), []);
  });

  it('reports requests as breaking the build when the build instance requires tokens', async () => {
    const source = (tokens: string) => `source "amazon-ebs" "x" {\n  imds_support = "v2.0"\n  metadata_options {\n    http_tokens = "${tokens}"\n  }\n}\n`;
    const provisioner = `  provisioner "shell" {\n    inline = ["curl -s ${ID_URL}"]\n  }\n  post-processor "shell-local" {\n    inline = ["curl -s ${ID_URL}"]\n  }\n`;
    const required = await analyse(build(provisioner, source('required')));
    assert.deepEqual(
      required.map((f) => f.messageId),
      ['breaksAtBoot', 'missingToken'],
    );
    assert.match(required[0]!.message, /but source\.amazon-ebs\.x requires IMDSv2/);
    assert.match(required[1]!.message, /runs on the machine running Packer, not on the build instance\)$/);
    const optional = await analyse(build(provisioner, source('optional')));
    assert.deepEqual(optional.filter((f) => f.ruleId === 'no-imdsv1-request').map((f) => f.messageId), ['missingToken', 'missingToken']);
  });

  it('looks at templates that mention IMDS even without an Amazon builder', () => {
    const analyser = packerAnalyser();
    assert.equal(analyser.mayMatter(`source "docker" "x" {}\nbuild { provisioner "shell" { inline = ["curl ${ID_URL}"] } }`), true);
    assert.equal(analyser.mayMatter('source "docker" "x" {}'), false);
  });
});

describe('packer JSON templates', () => {
  it('reads legacy templates: Go template actions are unknown words, a fix adds an element', async () => {
    const text = `{\n  "builders": [{ "type": "amazon-ebs" }],\n  "provisioners": [\n    {\n      "type": "shell",\n      "inline": [\n        "curl -s {{user \`imds\`}}/latest/meta-data/instance-id",\n        "echo \\"\\u00e9\\" && curl -s ${ID_URL}"\n      ]\n    }\n  ]\n}\n`;
    const findings = await analyse(text, 'template.json');
    assert.deepEqual(brief(findings), ['8:29 missingToken fix']);
    const fixed = fixAll(text, findings);
    assert.equal(JSON.parse(fixed).provisioners[0].inline.length, 3);
    assert.match(JSON.parse(fixed).provisioners[0].inline[1], /^: "\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT "http/);
    assert.deepEqual(brief(await analyse(fixed, 'template.json')), []);
  });

  it('reads HCL templates in JSON syntax: interpolations unknown, $${ escaped in the fix', async () => {
    const text = `{\n  "build": {\n    "sources": ["source.amazon-ebs.x"],\n    "provisioner": [{ "shell": { "inline": ["curl -s \${var.base}/a", "curl -s $\${X:-${IMDS}}/latest/meta-data/ami-id"] } }]\n  }\n}\n`;
    const findings = await analyse(text, 'build.pkr.json');
    assert.deepEqual(brief(findings), ['4:71 missingToken fix']);
    const fixed = fixAll(text, findings);
    assert.match(JSON.parse(fixed).build.provisioner[0].shell.inline[1], /^: "\$\$\{IMDS_TOKEN:=/);
    assert.deepEqual(brief(await analyse(fixed, 'build.pkr.json')), []);
  });

  it('leaves other JSON files alone and counts JSON syntax errors for them', async () => {
    const other = `{ "provisioners": [{ "type": "shell", "inline": ["curl -s ${ID_URL}"] }] }`;
    assert.deepEqual(await analyse(other, 'not-packer.json'), []);
    const analyser = packerAnalyser();
    assert.equal(analyser.claims('img/template.json', false), true);
    assert.ok((await analyser.countSyntaxErrors('{ "a": [1, }', 'x.json')) > 0);
    assert.equal(await analyser.countSyntaxErrors('{ "a": [1] }', 'x.json'), 0);
  });
});
