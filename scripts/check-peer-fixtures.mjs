// Scans the IMDS test fixtures of checkov, trivy-checks and KICS (../shared/peer-fixtures/iac) and
// compares the result with what those tools expect: every failing site found, nothing reported on
// passing files. Each disagreement must be listed, with its reason, in docs/peer-disagreements.md;
// an unlisted disagreement, or a listed one that no longer happens, fails the check.
//
// It reads ../shared, which a user's clone does not have, so it is not part of `pnpm test`;
// .ci/run calls it after the test suite. Each fixture file is scanned on its own, as the peers'
// own tests treat each file as one case (KICS keeps sixteen unrelated cases in one folder, which
// Terraform would otherwise read as one module).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scan } from '@imds-guard/scanner';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const peers = join(repo, '..', 'shared', 'peer-fixtures', 'iac');

/** Which findings answer which peer check. */
const CHECKS = {
  imdsv1: (f) => f.ruleId === 'no-imdsv1-instance-config' && ['tokensOptional', 'tokensMissing', 'tokensMissingToolDefault'].includes(f.messageId),
  sagemaker_min_imds: (f) => f.ruleId === 'no-imdsv1-instance-config' && f.messageId.startsWith('notebookMinimum'),
  hop_limit: (f) => f.ruleId === 'no-imds-hop-limit-above-one',
};

const records = readFileSync(join(peers, 'expected.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const sites = JSON.parse(readFileSync(join(peers, 'expected-sites.json'), 'utf8')).sites;

const observed = [];
let hits = 0;
let required = 0;
for (const record of records) {
  const result = await scan([record.file], { cwd: peers });
  for (const e of result.errors) observed.push({ file: record.file, at: '-', kind: 'error', detail: e.message });
  const relevant = result.findings.filter(CHECKS[record.check]);
  const fileSites = sites.filter((s) => s.file === record.file && s.check === record.check);
  const inSite = (f, s) => s.ranges.some(([from, to]) => f.line >= from && f.line <= to);
  for (const site of fileSites) {
    const hit = relevant.some((f) => inSite(f, site));
    if (site.optional) continue;
    required++;
    if (hit) hits++;
    else observed.push({ file: record.file, at: site.resource, kind: 'missed', detail: `peer expects ${site.resource} to fail` });
  }
  for (const f of relevant) {
    if (fileSites.some((s) => inSite(f, s))) continue;
    observed.push({ file: record.file, at: `line ${f.line}`, kind: 'extra', detail: `${f.messageId}: ${f.message}` });
  }
}

// The documented disagreements: rows of the table in docs/peer-disagreements.md.
const doc = readFileSync(join(repo, 'docs', 'peer-disagreements.md'), 'utf8');
const documented = doc
  .split('\n')
  .filter((l) => /^\| `[^`]+` \|/.test(l))
  .map((l) => l.split('|').map((c) => c.trim()))
  .map(([, file, at, kind]) => ({ file: file.replaceAll('`', ''), at: at.replaceAll('`', ''), kind }));
const key = (d) => `${d.file} | ${d.at} | ${d.kind}`;
const documentedKeys = new Set(documented.map(key));
const observedKeys = new Set(observed.map(key));
const undocumented = observed.filter((o) => !documentedKeys.has(key(o)));
const stale = documented.filter((d) => !observedKeys.has(key(d)));

console.log(`peer fixtures: ${records.length} files, ${hits}/${required} required failing sites found, ${observed.length} disagreements (${observed.length - undocumented.length} documented)`);
for (const o of undocumented) console.log(`  UNDOCUMENTED ${key(o)}: ${o.detail}`);
for (const d of stale) console.log(`  STALE (no longer happens, remove it from docs/peer-disagreements.md) ${key(d)}`);
process.exitCode = undocumented.length > 0 || stale.length > 0 ? 1 : 0;
