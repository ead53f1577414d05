import type { Analyser } from '../analyser.js';
import { mayMentionImds, PREFILTER_NEEDLES } from '../prefilter.js';
import { analyseCloudFormationFile, parseTemplateText } from './analyse.js';
import { mentionsLaunchResource, TEMPLATE_NEEDLES } from './detect.js';

// A launch resource can be reported on its own; code (user data, cfn-init, SSM documents) only
// when it mentions the metadata service, which the shell analyser's needles cover.
const NEEDLES: readonly string[] = [...TEMPLATE_NEEDLES, ...PREFILTER_NEEDLES];

// `.template` is what the CloudFormation console and many older repositories use; `.cfn` is rare
// but unambiguous. Plain `.yaml` / `.json` are claimed too: templates are recognised by content.
const EXTENSIONS = /\.(ya?ml|json|template|cfn)$/i;

/**
 * CloudFormation templates (YAML and JSON, SAM, CDK output) and SSM documents. One template per
 * file, so no grouping: parameters, mappings and launch templates that a resource refers to are
 * in the same file.
 */
export function cloudFormationAnalyser(): Analyser {
  return {
    name: 'cloudformation',
    claims: (path) => EXTENSIONS.test(path),
    mayMatter: (text) => mentionsLaunchResource(text) || mayMentionImds(text),
    needles: NEEDLES,
    async analyse(files) {
      return Promise.all(files.map(analyseCloudFormationFile));
    },
    countSyntaxErrors: async (text, path) => parseTemplateText(path, text).errors.length,
  };
}
