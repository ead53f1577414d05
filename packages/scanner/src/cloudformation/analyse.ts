import { basename } from 'node:path';
import { LineIndex, reportLaunches, type Finding, type IacFinding, type LaunchConfig } from '@imds-guard/core';
import type { FileAnalysis, SourceFile, SyntaxProblem } from '../analyser.js';
import { toFileAnalyses } from '../iac/to-findings.js';
import { adaptTemplate, resourcesOf } from './adapt.js';
import { isTemplate, looksLikeTemplateText, syntaxOf } from './detect.js';
import { analyseSites, isSsmDocument, ssmDocumentSites, templateSites, withTokenlessCallers } from './embedded/index.js';
import { parseJsonTemplate } from './parse-json.js';
import { parseYamlTemplate } from './parse-yaml.js';
import { scopeOf } from './resolve.js';
import { asMap, type MapNode, type ParsedTemplate } from './template-node.js';

export function parseTemplateText(path: string, text: string): ParsedTemplate {
  return syntaxOf(path, text) === 'json' ? parseJsonTemplate(text) : parseYamlTemplate(text);
}

/**
 * Analyses one file that may be a CloudFormation template, for its launch settings only (see
 * analyseCloudFormationFile for the code it holds). A file that is not a template gives no
 * findings and no syntax problems, unless it does not parse and reads like a template: a broken
 * template should not pass silently, a broken Helm chart is not our business.
 */
export function analyseTemplateFile(source: SourceFile): FileAnalysis {
  const parsed = parseTemplateText(source.path, source.text);
  const root = asMap(parsed.documents.find(isTemplate));
  if (!root) return notTemplate(source, parsed);
  const { configs, findings } = launchFindings(root, source, parsed);
  return formatted(source, parsed, configs, findings, []);
}

/**
 * Analyses a template with the code it holds (user data, cfn-init commands and files, SSM
 * documents and associations), or a standalone SSM document. A launch setting that accepts
 * IMDSv1 names the code on its instances that must be fixed first; code on instances that
 * require IMDSv2 is reported as breaking there.
 */
export async function analyseCloudFormationFile(source: SourceFile): Promise<FileAnalysis> {
  const parsed = parseTemplateText(source.path, source.text);
  const root = asMap(parsed.documents.find(isTemplate));
  const ctx = { host: source.text, syntax: parsed.syntax };
  if (!root) {
    const ssm = parsed.documents.length === 1 ? asMap(parsed.documents.find(isSsmDocument)) : undefined;
    if (!ssm) return notTemplate(source, parsed);
    const analysed = await analyseSites(source.text, source.file, ssmDocumentSites(ssm, basename(source.file), ctx));
    return { file: source.file, findings: analysed.flatMap((a) => a.findings), syntaxProblems: syntaxProblemsOf(source.text, parsed) };
  }
  const { configs, findings } = launchFindings(root, source, parsed);
  const analysed = await analyseSites(source.text, source.file, templateSites(resourcesOf(scopeOf(root).resources), ctx), configs);
  const linked = findings.map((f) => withTokenlessCallers(f, analysed, configs));
  return formatted(source, parsed, configs, linked, analysed.flatMap((a) => a.findings));
}

function notTemplate(source: SourceFile, parsed: ParsedTemplate): FileAnalysis {
  const problems = syntaxProblemsOf(source.text, parsed);
  const report = problems.length > 0 && looksLikeTemplateText(source.text);
  return { file: source.file, findings: [], syntaxProblems: report ? problems : [] };
}

function launchFindings(root: MapNode, source: SourceFile, parsed: ParsedTemplate): { configs: LaunchConfig[]; findings: IacFinding[] } {
  const { configs, consumers } = adaptTemplate(root, source.text, source.file, parsed.syntax);
  return { configs, findings: reportLaunches(configs, {}, 'CloudFormation', consumers).map((f) => withValueSource(f, configs)) };
}

function formatted(source: SourceFile, parsed: ParsedTemplate, configs: readonly LaunchConfig[], findings: readonly IacFinding[], embedded: readonly Finding[]): FileAnalysis {
  const problems = syntaxProblemsOf(source.text, parsed);
  const analysis = toFileAnalyses([source], findings, new Map([[source.file, problems]]))[0]!;
  const launch = analysis.findings.map((f, i) => withFixNote(f, findings[i], configs));
  const all = [...launch, ...embedded].sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
  return { ...analysis, findings: all };
}

/**
 * Names where a value came from when it is not written at the resource: "optional (the Default of
 * parameter TokensMode)", "optional (a branch of Fn::If IsDev)". The shared report words the value
 * only; the model carries the source in `Setting.via`.
 */
function withValueSource(finding: IacFinding, configs: readonly LaunchConfig[]): IacFinding {
  if (finding.messageId !== 'tokensOptional' && finding.messageId !== 'notebookMinimumV1') return finding;
  const config = configs.find((c) => c.address === finding.data.resource);
  const setting = config?.kind === 'notebook' ? config.minimumImdsVersion : config?.metadata?.httpTokens;
  if (setting?.state !== 'set' || !setting.via || setting.span.start !== finding.span.start) return finding;
  return { ...finding, data: { ...finding.data, value: `${finding.data.value} (${setting.via})` } };
}

/** A fix that edits a parameter's Default says so: it changes every stack deployed with it. */
function withFixNote(finding: Finding, source: IacFinding | undefined, configs: readonly LaunchConfig[]): Finding {
  if (!finding.fix || !source || source.span.start !== finding.start) return finding;
  const note = configs.find((c) => c.address === source.data.resource)?.requireTokens?.note;
  return note ? { ...finding, fix: { ...finding.fix, description: `${finding.fix.description}. This fix ${note}` } } : finding;
}

function syntaxProblemsOf(text: string, parsed: ParsedTemplate): SyntaxProblem[] {
  if (parsed.errors.length === 0) return [];
  const index = new LineIndex(text);
  return parsed.errors.map((offset) => index.position(offset));
}
