/** The JavaScript/TypeScript rules' prefilter needles, kept at their old address for compatibility. */
export * from '@imds-guard/eslint-rules/prefilter';
