import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allRules, LineIndex, ruleDocsUrl, type Finding, type Fix, type Severity } from '@imds-guard/core';
import type { Reporter, ReportInput } from './reporter.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SRCROOT = 'SRCROOT';

/** The one place severities become SARIF levels. */
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', note: 'note' };

/**
 * SARIF 2.1.0 for code-scanning services. Locations are relative to SRCROOT so the log can be
 * uploaded from any checkout; columns count UTF-16 code units, which `columnKind` declares.
 */
export const sarifReporter: Reporter = {
  render(input) {
    return `${JSON.stringify(sarifLog(input), null, 2)}\n`;
  },
};

export function sarifLog(input: ReportInput) {
  const rules = allRules();
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const lineIndexes = new Map(input.result.files.map((f) => [f.file, new LineIndex(f.text)]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'imds-guard',
            version: input.toolVersion,
            semanticVersion: input.toolVersion,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              helpUri: ruleDocsUrl(r.id),
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { code: r.code },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(input.cwd) } },
        columnKind: 'utf16CodeUnits',
        results: input.result.findings.map((f) => ({
          ruleId: f.ruleId,
          ...(ruleIndex.has(f.ruleId) && { ruleIndex: ruleIndex.get(f.ruleId) }),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [{ physicalLocation: { artifactLocation: artifactLocation(f.file, input.cwd), region: region(f) } }],
          ...(f.fix && lineIndexes.has(f.file) && { fixes: [sarifFix(f, f.fix, lineIndexes.get(f.file)!, input.cwd)] }),
        })),
        // Findings left out of `results`: accepted in the --baseline file, or by imds-guard-ignore comments.
        ...((input.baselined || input.suppressed) && { properties: { baselined: input.baselined ?? 0, suppressed: input.suppressed ?? 0 } }),
        invocations: [
          {
            // The scan ran to the end; files it could not analyse are notifications, not a failure.
            executionSuccessful: true,
            toolExecutionNotifications: input.result.errors.map((e) => ({
              level: 'error',
              message: { text: e.message },
              locations: [{ physicalLocation: { artifactLocation: artifactLocation(e.file, input.cwd) } }],
            })),
          },
        ],
      },
    ],
  };
}

function region(at: { line: number; column: number; endLine: number; endColumn: number }) {
  return { startLine: at.line, startColumn: at.column, endLine: at.endLine, endColumn: at.endColumn };
}

function sarifFix(finding: Finding, fix: Fix, index: LineIndex, cwd: string) {
  return {
    description: { text: fix.description },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(finding.file, cwd),
        replacements: fix.edits.map((e) => ({
          deletedRegion: region(index.location(e.start, e.end)),
          insertedContent: { text: e.text },
        })),
      },
    ],
  };
}

/**
 * `file` is relative to cwd with forward slashes. A file outside cwd (`../x.sh`) cannot be
 * expressed against SRCROOT, so it gets an absolute file URI instead.
 */
export function artifactLocation(file: string, cwd: string): { uri: string; uriBaseId?: string } {
  if (isAbsolute(file) || file === '..' || file.startsWith('../')) return { uri: pathToFileURL(resolve(cwd, file)).href };
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}
