import type { Analyser } from '../analyser.js';
import { analyseTemplateFile, parseTemplateText } from './analyse.js';
import { mentionsLaunchResource, TEMPLATE_NEEDLES } from './detect.js';

// `.template` is what the CloudFormation console and many older repositories use; `.cfn` is rare
// but unambiguous. Plain `.yaml` / `.json` are claimed too: templates are recognised by content.
const EXTENSIONS = /\.(ya?ml|json|template|cfn)$/i;

/**
 * CloudFormation templates (YAML and JSON, SAM, CDK output). One template per file, so no grouping:
 * parameters, mappings and launch templates that a resource refers to are in the same file.
 */
export function cloudFormationAnalyser(): Analyser {
  return {
    name: 'cloudformation',
    claims: (path) => EXTENSIONS.test(path),
    mayMatter: mentionsLaunchResource,
    needles: TEMPLATE_NEEDLES,
    async analyse(files) {
      return files.map(analyseTemplateFile);
    },
    countSyntaxErrors: async (text, path) => parseTemplateText(path, text).errors.length,
  };
}
