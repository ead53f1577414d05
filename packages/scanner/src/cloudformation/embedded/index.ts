import type { LaunchConfig } from '@imds-guard/core';
import { analyseEmbeddedShell, userDataPieces } from '../../embedded/index.js';
import type { Resource } from '../launch-template-links.js';
import { cfnInitSites } from './cfn-init.js';
import { tokenDecider, type AnalysedSite } from './cross-artifact.js';
import { requoted } from './requote.js';
import type { TextContext } from './intrinsic-text.js';
import type { ShellSite } from './site.js';
import { ssmResourceSites } from './ssm-document.js';
import { userDataSites } from './user-data.js';

export { withTokenlessCallers, type AnalysedSite } from './cross-artifact.js';
export { isSsmDocument, ssmDocumentSites } from './ssm-document.js';
export type { ShellSite } from './site.js';
export type { TextContext } from './intrinsic-text.js';

/** Every place of a template that holds code for an instance: user data, cfn-init, SSM. */
export function templateSites(resources: readonly Resource[], ctx: TextContext): ShellSite[] {
  return [...userDataSites(resources, ctx), ...cfnInitSites(resources, ctx), ...ssmResourceSites(resources, ctx)];
}

/**
 * Analyses each site's code and reports at its place in the file. Code that runs on instances
 * that require IMDSv2 has its tokenless requests reported as breaking them.
 */
export async function analyseSites(host: string, file: string, sites: readonly ShellSite[], configs: readonly LaunchConfig[] = []): Promise<AnalysedSite[]> {
  const out: AnalysedSite[] = [];
  for (const site of sites) {
    const decider = tokenDecider(site.owner, configs);
    const piece = site.text.piece({
      context: site.context,
      ...(decider?.requires ? { requiredBy: decider.decider } : {}),
      ...(site.language ? { language: site.language } : {}),
    });
    const pieces = site.userData ? userDataPieces(piece) : [piece];
    const findings = await analyseEmbeddedShell(host, file, pieces);
    out.push({ site, findings: findings.map((f) => requoted(host, f, site.text.regions)) });
  }
  return out;
}
