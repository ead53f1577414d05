import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { isMakefile, makefileAnalyser } from '../src/makefile/analyser.js';
import { makefileShell } from '../src/makefile/pieces.js';

const analyser = makefileAnalyser();
const IMDS = 'http://169.254.169.254/latest/meta-data';

async function analyse(text: string) {
  const [analysis] = await analyser.analyse([{ path: 'Makefile', file: 'Makefile', text }]);
  return analysis!;
}

const findings = async (text: string): Promise<Finding[]> => [...(await analyse(text)).findings];

async function fixed(text: string): Promise<string> {
  return applyFixes(text, (await findings(text)).flatMap((f) => (f.fix ? [f.fix] : []))).text;
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('makefile analyser: which files', () => {
  it('claims makefiles by their usual names', () => {
    for (const name of ['Makefile', 'makefile', 'GNUmakefile', 'build/rules.mk', 'release.Makefile']) assert.ok(isMakefile(name), name);
    for (const name of ['Makefile.am', 'make.sh', 'CMakeLists.txt', 'mkdocs.yml']) assert.ok(!isMakefile(name), name);
  });
});

describe('makefile analyser: recipes', () => {
  it('reads a recipe line with make references expanded and $$ as $', async () => {
    const text = lines('IMDS := http://169.254.169.254/latest', 'id:', '\t@echo "id=$$(curl -s $(IMDS)/meta-data/instance-id)" > $@');
    const [piece] = makefileShell(text).pieces;
    assert.equal(piece!.text, 'echo "id=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)" > __make_target__');
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.deepEqual([finding!.line, finding!.column], [3, 15]);
    assert.match(finding!.message, /\(in the recipe for id\)$/);
  });

  it('gives each recipe line its own shell, and one shell per recipe under .ONESHELL', async () => {
    const recipe = ['meta:', `\tTOKEN=$$(curl -s -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" http://169.254.169.254/latest/api/token)`, `\tcurl -s -H "X-aws-ec2-metadata-token: $$TOKEN" ${IMDS}/ami-id`];
    assert.equal(makefileShell(lines(...recipe)).pieces.length, 2);
    const one = makefileShell(lines('.ONESHELL:', ...recipe)).pieces;
    assert.equal(one.length, 1);
    assert.match(one[0]!.text, /\)\ncurl -s -H/);
    assert.deepEqual(await findings(lines('.ONESHELL:', ...recipe)), []);
  });

  it('keeps a continued recipe line together, without the prefix make removes from its continuation lines', async () => {
    const text = lines('deploy:', '\tset -e; \\', `\tREGION=$$(curl -s ${IMDS}/placement/region); \\`, '\techo "$$REGION"');
    const [piece] = makefileShell(text).pieces;
    assert.equal(piece!.text, `set -e; \\\nREGION=$(curl -s ${IMDS}/placement/region); \\\necho "$REGION"`);
    const [finding] = await findings(text);
    assert.deepEqual([finding!.line, finding!.column], [3, 12]);
  });

  it('gives recipes the exported variables that name the endpoint, so $$VAR resolves', async () => {
    const text = lines('export IMDS_URL := http://169.254.169.254/latest', 'PLAIN := http://169.254.169.254/latest', 'a:', '\tcurl -s "$$IMDS_URL/meta-data/ami-id"', '\tcurl -s "$$PLAIN/meta-data/ami-id"');
    assert.deepEqual((await findings(text)).map((f) => [f.line, f.column]), [[4, 2]]);
    assert.deepEqual(await findings(await fixed(text)), []);
  });

  it('writes the fix on the same recipe line, $ as $$, after the @ and - prefixes', async () => {
    const text = lines('id:', `\t@-curl -s ${IMDS}/instance-id > id.txt`, '\techo done');
    const out = (await fixed(text)).split('\n');
    assert.equal(out[1], '\t@-: "$${IMDS_TOKEN:=$$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"; curl -H "X-aws-ec2-metadata-token: $$IMDS_TOKEN" -s http://169.254.169.254/latest/meta-data/instance-id > id.txt');
    assert.equal(out[2], '\techo done');
    assert.equal(await analyser.countSyntaxErrors(out.join('\n'), 'Makefile'), 0);
    assert.deepEqual(await findings(out.join('\n')), []);
  });

  it('follows .RECIPEPREFIX and reads the recipe after `target: ;`', async () => {
    const text = lines('.RECIPEPREFIX = >', 'a:', `> curl -s ${IMDS}/ami-id`, `b: a ; wget -qO- ${IMDS}/hostname`);
    assert.deepEqual((await findings(text)).map((f) => [f.line, f.column]), [[3, 3], [4, 8]]);
  });

  it('hands recipes to PowerShell when SHELL is pwsh', () => {
    const text = lines('SHELL := pwsh', 'a:', `\tInvoke-RestMethod ${IMDS}/ami-id`);
    assert.deepEqual(makefileShell(text).pieces.map((p) => p.language), ['powershell']);
  });
});

describe('makefile analyser: $(shell …) and the makefile itself', () => {
  it('reads $(shell …) in assignments, inside other functions and after !=, each as its own shell', async () => {
    const text = lines(
      `REGION := $(shell curl -s ${IMDS}/placement/region)`,
      `AZ = $(strip $(shell wget -qO- ${IMDS}/placement/availability-zone))`,
      `HOST != curl -s ${IMDS}/hostname`,
    );
    const got = (await findings(text)).map((f) => [f.line, f.message.slice(f.message.lastIndexOf('(') + 1, -1)]);
    assert.deepEqual(got, [
      [1, 'runs when make expands REGION'],
      [2, 'runs when make expands AZ'],
      [3, 'runs when make expands HOST'],
    ]);
    const out = await fixed(text);
    assert.match(out.split('\n')[0]!, /^REGION := \$\(shell : "\$\$\{IMDS_TOKEN:=\$\$\(curl -sS -X PUT .*\)\}"; curl -H "X-aws-ec2-metadata-token: \$\$IMDS_TOKEN" -s http.*region\)$/);
    assert.deepEqual(await findings(out), []);
  });

  it('reads $(shell …) in a recipe and in a target-specific variable, each in its own shell', async () => {
    const text = lines(`deploy: ZONE := $(shell curl -s ${IMDS}/placement/availability-zone)`, 'deploy:', `\techo $(shell wget -qO- ${IMDS}/instance-id) "$(ZONE)"`);
    const got = (await findings(text)).map((f) => [f.line, f.message.slice(f.message.lastIndexOf('(') + 1, -1)]);
    assert.deepEqual(got, [
      [1, 'runs when make expands ZONE'],
      [3, 'runs when make expands the recipe for deploy'],
    ]);
  });

  it('accepts what make accepts: tab-indented assignments in conditionals, directives, bare function calls', async () => {
    const text = lines(
      'ifeq ($(shell uname -s),Linux)',
      '\tOPEN := xdg-open',
      'else',
      '\tOPEN := open',
      'endif',
      'export AWS_REGION ?= eu-west-1',
      '-include local.mk',
      '$(foreach t,a b,$(eval $(t): ; @echo $(t)))',
      'vpath %.c src',
      'all: ; @echo $(OPEN)',
    );
    const analysis = await analyse(text);
    assert.deepEqual(analysis.syntaxProblems, []);
    assert.deepEqual(makefileShell(text).pieces.map((p) => p.text), ['uname -s', 'echo __make_OPEN__']);
  });

  it('leaves comments, define bodies and look-alikes alone', async () => {
    const text = lines(
      `# curl -s ${IMDS}/ami-id`,
      'define HELP',
      `  curl -s ${IMDS}/ami-id`,
      'endef',
      'task:',
      '\tcurl -s http://169.254.170.2/v2/metadata',
      `\techo "IMDS is ${IMDS}"`,
    );
    assert.deepEqual(await findings(text), []);
  });

  it('reports what make would reject: a missing separator, an unclosed reference or define', async () => {
    assert.deepEqual((await analyse(lines('all:', '\techo ok'))).syntaxProblems, []);
    // Indented with spaces, not a tab (make: "missing separator").
    assert.deepEqual((await analyse(lines('all:', '    echo ok'))).syntaxProblems, [{ line: 2, column: 1 }]);
    assert.deepEqual((await analyse(lines('X := $(shell echo', 'all:', '\techo ok'))).syntaxProblems, [{ line: 1, column: 6 }]);
    assert.deepEqual((await analyse(lines('define X', 'a'))).syntaxProblems, [{ line: 1, column: 1 }]);
    // A fix that put a command on a line of its own would be one of these.
    assert.equal(await analyser.countSyntaxErrors(lines('all:', '\techo a', '\techo b'), 'Makefile'), 0);
    assert.ok((await analyser.countSyntaxErrors(lines('all:', '\techo a', 'echo b'), 'Makefile')) > 0);
  });
});
