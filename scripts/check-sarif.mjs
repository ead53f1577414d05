// Validates imds-guard's SARIF output against the official SARIF 2.1.0 schema.
//
//   node scripts/check-sarif.mjs              scan examples/ with the built CLI and validate that
//   node scripts/check-sarif.mjs report.sarif validate an existing log
//
// Kept out of the test suite on purpose: the schema is read from ../shared/ beside the checkout
// (it is not ours to copy into the repository), and a user's clone has no ../shared/.
// Set SARIF_SCHEMA to use a schema file elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv-draft-04';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = process.env.SARIF_SCHEMA ?? fileURLToPath(new URL('../../shared/schemas/sarif-schema-2.1.0.json', import.meta.url));

if (!existsSync(schemaPath)) {
  console.error(`check-sarif: no schema at ${schemaPath}; set SARIF_SCHEMA to its path`);
  process.exit(2);
}

const [logPath] = process.argv.slice(2);
const text = logPath ? readFileSync(logPath, 'utf8') : scanExamples();
let log;
try {
  log = JSON.parse(text);
} catch (err) {
  console.error(`check-sarif: the log is not JSON: ${err.message}`);
  process.exit(1);
}

// The schema uses formats (uri, date-time) that plain Ajv does not know; structure is what we check.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
if (!validate(log)) {
  console.error(`check-sarif: ${logPath ?? 'the SARIF of examples/'} does not match SARIF 2.1.0:`);
  for (const e of validate.errors ?? []) console.error(`  ${e.instancePath || '/'} ${e.message}`);
  process.exit(1);
}
const results = log.runs?.reduce((n, run) => n + (run.results?.length ?? 0), 0) ?? 0;
console.log(`check-sarif: valid SARIF 2.1.0 (${log.runs.length} run, ${results} results)`);

function scanExamples() {
  const bin = fileURLToPath(new URL('../packages/cli/bin/imds-guard.js', import.meta.url));
  const run = spawnSync(process.execPath, [bin, 'scan', 'examples', '--format', 'sarif'], { cwd: root, encoding: 'utf8' });
  // 1 only means findings: the examples are there to have some.
  if (run.status !== 0 && run.status !== 1) {
    console.error(`check-sarif: imds-guard exited ${run.status} (did you run pnpm build?)\n${run.stderr}`);
    process.exit(1);
  }
  return run.stdout;
}
