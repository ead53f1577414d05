export { cloudFormationAnalyser } from './analyser.js';
export { analyseTemplateFile, parseTemplateText } from './analyse.js';
export { adaptTemplate, type AdaptedTemplate } from './adapt.js';
export { isTemplate, looksLikeTemplateText, mentionsLaunchResource, syntaxOf, TEMPLATE_NEEDLES } from './detect.js';
export { possibilities, scopeOf, type Possibility, type TemplateScope } from './resolve.js';
export { parseJsonTemplate } from './parse-json.js';
export { INTRINSIC_TAGS, parseYamlTemplate } from './parse-yaml.js';
