import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { isUnitFile, systemdAnalyser } from '../src/systemd/analyser.js';
import { escapeInWord, unitShell } from '../src/systemd/pieces.js';

const analyser = systemdAnalyser();
const IMDS = 'http://169.254.169.254/latest/meta-data';

async function analyse(text: string, path = 'etc/systemd/system/labels.service') {
  const [analysis] = await analyser.analyse([{ path, file: path, text }]);
  return analysis!;
}

const findings = async (text: string): Promise<Finding[]> => [...(await analyse(text)).findings];

async function fixed(text: string): Promise<string> {
  return applyFixes(text, (await findings(text)).flatMap((f) => (f.fix ? [f.fix] : []))).text;
}

const unit = (...service: string[]) => `[Unit]\nDescription=test\n\n[Service]\nType=oneshot\n${service.join('\n')}\n`;
const SERVICE_LINE = 5; // the first line of `service`, 0-based: [Unit], Description, blank, [Service], Type

describe('systemd analyser: which files', () => {
  it('claims service and socket units and their drop-ins', () => {
    for (const name of ['node-labels.service', 'lib/systemd/system/sshd.socket', 'etc/systemd/system/kubelet.service.d/10-imds.conf']) assert.ok(isUnitFile(name), name);
    for (const name of ['backup.timer', 'etc/foo.conf', 'service.yaml']) assert.ok(!isUnitFile(name), name);
  });
});

describe('systemd analyser: reading Exec lines', () => {
  it('undoes systemd escaping before the shell sees the script: $$, %%, specifiers, ${VAR} from Environment=', () => {
    const text = unit('Environment="BASE=http://169.254.169.254"', `ExecStart=/bin/bash -c 'echo %i $$(curl -s \${BASE}/latest/meta-data/ami-id) 100%%'`);
    const [piece] = unitShell(text, 'a@.service').pieces;
    assert.equal(piece!.text, 'BASE="http://169.254.169.254"\necho __unit_i__ $(curl -s http://169.254.169.254/latest/meta-data/ami-id) 100%');
  });

  it('gives a script the Environment= values it inherits, so $$VAR resolves to the endpoint', async () => {
    const text = unit('Environment="IMDS=http://169.254.169.254/latest/meta-data" LOG=/var/log/x', "ExecStart=/bin/sh -c 'curl -s $$IMDS/ami-id > /run/ami'");
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.equal(text.slice(finding!.start, finding!.start + 4), 'curl');
    const out = await fixed(text);
    assert.match(out.split('\n')[SERVICE_LINE + 1]!, /^ExecStart=\/bin\/sh -c ': "\$\$\{IMDS_TOKEN:=.*"; curl -H "X-aws-ec2-metadata-token: \$\$IMDS_TOKEN" -s \$\$IMDS\/ami-id > \/run\/ami'$/);
    assert.deepEqual(await findings(out), []);
  });

  it('joins continued lines (the backslash read as a space) and skips comment lines inside them', async () => {
    const text = unit('ExecStart=/bin/sh -c "set -e; \\', '# a comment systemd skips', `    curl -s ${IMDS}/instance-id > /run/id"`);
    const [piece] = unitShell(text, 'a.service').pieces;
    assert.equal(piece!.text, `set -e;      curl -s ${IMDS}/instance-id > /run/id`);
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.deepEqual([finding!.line, finding!.column], [SERVICE_LINE + 3, 5]);
    assert.match(finding!.message, /\(in ExecStart of labels\.service\)$/);
  });

  it('reads every Exec key of [Service] and [Socket], after the @-:+! prefixes, and each ;-separated command', () => {
    const text = unit(
      `ExecStartPre=-/bin/sh -c 'curl -s ${IMDS}/a'`,
      `ExecStart=@/bin/bash labels -c 'curl -s ${IMDS}/b' ; /bin/sh -c 'curl -s ${IMDS}/c'`,
      `ExecStopPost=+/usr/bin/curl -s ${IMDS}/d`,
      `Description=/bin/sh -c 'curl -s ${IMDS}/not-a-command'`,
    );
    assert.deepEqual(
      unitShell(text, 'a.service').pieces.map((p) => p.text),
      [`curl -s ${IMDS}/a`, `curl -s ${IMDS}/b`, `curl -s ${IMDS}/c`, `/usr/bin/curl -s ${IMDS}/d`],
    );
  });

  it('names the unit a drop-in changes', async () => {
    const [finding] = (await analyse(unit(`ExecStartPre=/bin/sh -c 'curl -s ${IMDS}/ami-id'`), 'etc/systemd/system/kubelet.service.d/10-imds.conf')).findings;
    assert.match(finding!.message, /\(in ExecStartPre of kubelet\.service\)$/);
  });

  it('leaves look-alikes alone: ECS task metadata, a logger line, a commented-out command', async () => {
    const text = unit(
      "ExecStart=/bin/sh -c 'curl -s http://169.254.170.2/v2/metadata'",
      `ExecStartPost=/usr/bin/logger "read ${IMDS} later"`,
      `#ExecStartPost=/usr/bin/curl ${IMDS}/ami-id`,
    );
    assert.deepEqual(await findings(text), []);
  });
});

describe('systemd analyser: fixes', () => {
  it('fixes a single-quoted script with $$ and keeps the unit valid', async () => {
    const text = unit(`ExecStart=/bin/bash -c 'echo NODE=$$(curl -s ${IMDS}/instance-id) > /run/node'`);
    const out = await fixed(text);
    assert.equal(
      out.split('\n')[SERVICE_LINE],
      `ExecStart=/bin/bash -c ': "$\${IMDS_TOKEN:=$$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"; echo NODE=$$(curl -H "X-aws-ec2-metadata-token: $$IMDS_TOKEN" -s ${IMDS}/instance-id) > /run/node'`,
    );
    assert.equal(await analyser.countSyntaxErrors(out, 'a.service'), 0);
    assert.deepEqual(await findings(out), []);
  });

  it('escapes double quotes inside a double-quoted script', async () => {
    const text = unit(`ExecStart=/bin/sh -c "curl -s ${IMDS}/instance-id > /run/id"`);
    const out = await fixed(text);
    assert.match(out.split('\n')[SERVICE_LINE]!, /^ExecStart=\/bin\/sh -c ": \\"\$\$\{IMDS_TOKEN:=\$\$\(curl -sS -X PUT \\"http:.*\\"\)\}\\"; curl -H \\"X-aws-ec2-metadata-token: \$\$IMDS_TOKEN\\" -s http/);
    assert.deepEqual(await findings(out), []);
  });

  it('reports a program run directly without a fix: no shell would keep or expand a token', async () => {
    const [finding, ...rest] = await findings(unit(`ExecStart=/usr/bin/curl -fsS -o /run/id ${IMDS}/instance-id`));
    assert.equal(rest.length, 0);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.fix, undefined);
  });

  it('refuses text it cannot write safely: unquoted words, a single quote inside single quotes', () => {
    assert.equal(escapeInWord(': "x"\n', ''), undefined);
    assert.equal(escapeInWord("echo 'x'", "'"), undefined);
    assert.equal(escapeInWord('echo "$X" 5%\n', "'"), 'echo "$$X" 5%%; ');
    assert.equal(escapeInWord('echo "$X"', '"'), 'echo \\"$$X\\"');
  });
});

describe('systemd analyser: syntax', () => {
  it('reports lines systemd ignores and quotes left open', async () => {
    assert.deepEqual((await analyse(unit('ExecStart=/bin/true'))).syntaxProblems, []);
    assert.deepEqual((await analyse(unit('this line has no equals sign'))).syntaxProblems, [{ line: SERVICE_LINE + 1, column: 1 }]);
    assert.deepEqual((await analyse(unit(`ExecStart=/bin/sh -c 'curl -s ${IMDS}/ami-id`))).syntaxProblems, [{ line: SERVICE_LINE + 1, column: 22 }]);
  });
});
