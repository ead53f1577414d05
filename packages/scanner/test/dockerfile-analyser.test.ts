import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFixes, type Finding } from '@imds-guard/core';
import { dockerfileAnalyser, isDockerfile } from '../src/dockerfile/analyser.js';
import { dockerfileShell } from '../src/dockerfile/pieces.js';

const analyser = dockerfileAnalyser();
const IMDS = 'http://169.254.169.254/latest/meta-data';

async function findings(text: string): Promise<Finding[]> {
  const [analysis] = await analyser.analyse([{ path: 'Dockerfile', file: 'Dockerfile', text }]);
  return [...analysis!.findings];
}

async function fixed(text: string): Promise<string> {
  return applyFixes(text, (await findings(text)).flatMap((f) => (f.fix ? [f.fix] : []))).text;
}

const lines = (...l: string[]) => `${l.join('\n')}\n`;

describe('dockerfile analyser: which files', () => {
  it('claims Dockerfiles and Containerfiles by their usual names', () => {
    for (const name of ['Dockerfile', 'dockerfile', 'Dockerfile.prod', 'ci/api.Dockerfile', 'build.dockerfile', 'Containerfile', 'Containerfile.ci']) {
      assert.ok(isDockerfile(name), name);
    }
    for (const name of ['Dockerfile.md', 'docs/Dockerfile.yaml', 'dockerfiles.txt', 'Makefile', 'docker-compose.yml', 'lib/dockerfile.d.ts', 'dockerfile.js', 'syntax/dockerfile.vim']) {
      assert.ok(!isDockerfile(name), name);
    }
  });
});

describe('dockerfile analyser: shell form', () => {
  it('joins continued lines and drops the comment lines Docker drops, reporting at host positions', async () => {
    const text = lines('FROM alpine', 'RUN set -eux; \\', '    # the region', `    REGION=$(curl -s ${IMDS}/placement/region) \\`, ' && echo "$REGION"');
    const [piece] = dockerfileShell(text).pieces;
    assert.equal(piece!.text, `set -eux;     REGION=$(curl -s ${IMDS}/placement/region)  && echo "$REGION"`);
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.deepEqual([finding!.line, finding!.column], [4, 14]);
    assert.equal(text.slice(finding!.start, finding!.end), `curl -s ${IMDS}/placement/region`);
    assert.match(finding!.message, /\(runs at docker build time, against the build host's metadata\)$/);
  });

  it('inserts the token as a continued line the Dockerfile parser and the shell both accept', async () => {
    const text = lines('FROM alpine', `RUN curl -s ${IMDS}/instance-id > /id`);
    const out = await fixed(text);
    assert.equal(out.split('\n')[1], 'RUN : "${IMDS_TOKEN:=$(curl -sS -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")}"; \\');
    assert.match(out.split('\n')[2]!, /^ {4}curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s http/);
    assert.equal(dockerfileShell(out).pieces.length, 1);
    assert.equal(await analyser.countSyntaxErrors(out, 'Dockerfile'), 0);
    assert.deepEqual(await findings(out), []);
  });

  it('follows the escape parser directive (backtick continuations)', async () => {
    const text = lines('# escape=`', 'FROM alpine', 'RUN apk add curl && `', `    curl -s ${IMDS}/hostname`);
    const [finding] = await findings(text);
    assert.equal(finding!.line, 4);
    const out = await fixed(text);
    assert.match(out, /\}"; `\n {4}apk add curl && `\n/);
    assert.deepEqual(await findings(out), []);
  });

  it('says when the command runs: container start, health check, downstream builds', async () => {
    const text = lines(
      'FROM alpine',
      `CMD curl -s ${IMDS}/ami-id`,
      `ENTRYPOINT curl -s ${IMDS}/ami-id`,
      `HEALTHCHECK --interval=5s CMD curl -f ${IMDS}/ami-id || exit 1`,
      `ONBUILD RUN --network=host curl -s ${IMDS}/ami-id`,
    );
    const got = (await findings(text)).map((f) => [f.line, f.message.slice(f.message.lastIndexOf('(') + 1, -1)]);
    assert.deepEqual(got, [
      [2, 'runs when the container starts'],
      [3, 'runs when the container starts'],
      [4, 'runs in the container, as its health check'],
      [5, "runs when an image is built FROM this one, against that build host's metadata"],
    ]);
  });

  it('resolves ARG and ENV values of the same stage that name the endpoint, and forgets them at FROM', async () => {
    const text = lines('FROM alpine AS a', 'ARG META=http://169.254.169.254', 'RUN curl -s "$META/latest/meta-data/ami-id"', 'FROM alpine', 'RUN curl -s "$META/latest/meta-data/ami-id"');
    assert.deepEqual((await findings(text)).map((f) => f.line), [3]);
  });

  it('gives a stage the value of a global ARG it declares again', async () => {
    const text = lines('ARG META=http://169.254.169.254/latest/meta-data', 'FROM alpine', 'ARG META', 'RUN curl -s "$META/ami-id"', 'FROM alpine', 'RUN curl -s "$META/ami-id"');
    assert.deepEqual((await findings(text)).map((f) => f.line), [4]);
  });

  it('leaves look-alikes alone: ECS task metadata, echo text, HEALTHCHECK NONE', async () => {
    const text = lines(
      'FROM alpine',
      'RUN curl -s http://169.254.170.2/v2/metadata',
      `RUN echo "see ${IMDS}/"`,
      'HEALTHCHECK NONE',
      `LABEL docs="${IMDS}/"`,
    );
    assert.deepEqual(await findings(text), []);
  });
});

describe('dockerfile analyser: exec form and heredocs', () => {
  it('reads the script of ["sh", "-c", "…"] through its JSON escapes and writes the fix JSON-escaped', async () => {
    const text = lines('FROM alpine', `RUN ["/bin/bash", "-eu", "-c", "curl -s \\"${IMDS}/instance-id\\" > /id"]`);
    const [piece] = dockerfileShell(text).pieces;
    assert.equal(piece!.text, `curl -s "${IMDS}/instance-id" > /id`);
    const [finding] = await findings(text);
    assert.equal(text.slice(finding!.start, finding!.start + 4), 'curl');
    const out = await fixed(text);
    const argv = JSON.parse(out.split('\n')[1]!.slice(4)) as string[];
    assert.match(argv[3]!, /^: "\$\{IMDS_TOKEN:=\$\(curl -sS -X PUT .*\)\}"; curl -H "X-aws-ec2-metadata-token: \$IMDS_TOKEN" -s "http/);
    assert.deepEqual(await findings(out), []);
  });

  it('joins an exec form continued over lines before reading it as JSON', async () => {
    const text = lines('FROM alpine', 'CMD ["/bin/sh", "-c", \\', `     "curl -s ${IMDS}/instance-id"]`);
    const [finding] = await findings(text);
    assert.deepEqual([finding!.line, finding!.column], [3, 7]);
    assert.match(finding!.message, /runs when the container starts/);
  });

  it('reports an exec form without a shell, but offers no fix (nothing would expand a token)', async () => {
    const text = lines('FROM alpine', `CMD ["curl", "-s", "${IMDS}/instance-id"]`);
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.equal(finding!.messageId, 'missingToken');
    assert.equal(finding!.fix, undefined);
  });

  it('runs a lone RUN heredoc as a script, and skips one whose shebang names another language', async () => {
    const text = lines('FROM alpine', 'RUN <<EOF', 'set -e', `curl -s ${IMDS}/instance-id`, 'EOF', 'RUN <<EOF', '#!/usr/bin/env python3', `print("${IMDS}/")`, 'EOF');
    const [finding, ...rest] = await findings(text);
    assert.equal(rest.length, 0);
    assert.equal(finding!.line, 4);
    const out = await fixed(text);
    assert.match(out, /\nset -e\n: "\$\{IMDS_TOKEN:=[^\n]*\ncurl -H /);
    assert.deepEqual(await findings(out), []);
  });

  it('reads a heredoc fed to a command as part of that command', async () => {
    const text = lines('FROM alpine', 'RUN bash -e <<SCRIPT', `curl -s ${IMDS}/instance-id > /id`, 'SCRIPT', 'RUN python3 <<PY', `print("${IMDS}/")`, 'PY');
    assert.deepEqual((await findings(text)).map((f) => f.line), [3]);
  });
});

describe('dockerfile analyser: SHELL and syntax', () => {
  it('hands shell-form commands to PowerShell after SHELL ["pwsh", …], until the next FROM', () => {
    const text = lines(
      'FROM mcr.microsoft.com/powershell',
      'SHELL ["pwsh", "-NoProfile", "-Command"]',
      `RUN Invoke-RestMethod ${IMDS}/instance-id`,
      'FROM alpine',
      `RUN curl -s ${IMDS}/instance-id`,
      'SHELL ["cmd", "/S", "/C"]',
      'RUN dir',
    );
    assert.deepEqual(dockerfileShell(text).pieces.map((p) => p.language), ['powershell', 'sh']);
  });

  it('counts unknown instructions and shell syntax errors, so a broken fix is refused', async () => {
    const good = lines('FROM alpine', `RUN curl -s ${IMDS}/ami-id`);
    assert.equal(await analyser.countSyntaxErrors(good, 'Dockerfile'), 0);
    assert.equal(await analyser.countSyntaxErrors(lines('FROM alpine', 'RUNN echo hi'), 'Dockerfile'), 1);
    assert.ok((await analyser.countSyntaxErrors(lines('FROM alpine', 'RUN echo "$(curl -s'), 'Dockerfile')) > 0);
    const [analysis] = await analyser.analyse([{ path: 'Dockerfile', file: 'Dockerfile', text: lines('FROM alpine', 'RUNN echo hi') }]);
    assert.deepEqual(analysis!.syntaxProblems, [{ line: 2, column: 1 }]);
  });
});
