import { dirname, extname } from 'node:path';
import type { Analyser } from '../analyser.js';
import { countSyntaxErrors } from '../fix-check.js';
import { withTree } from '../tree-sitter.js';
import { analyseTerraformModule } from './analyse.js';
import { mayMatterToTerraform, TERRAFORM_NEEDLES } from './needles.js';

const EXTENSIONS = new Set(['.tf', '.tfvars']);

/**
 * Terraform: `.tf` files and the `.tfvars` files that feed their variables. A module is a
 * directory, so the files of one directory are analysed together: a variable defined in
 * variables.tf and set in terraform.tfvars resolves in main.tf.
 */
export function terraformAnalyser(): Analyser {
  return {
    name: 'terraform',
    claims: (path) => EXTENSIONS.has(extname(path).toLowerCase()),
    mayMatter: mayMatterToTerraform,
    needles: TERRAFORM_NEEDLES,
    groupOf: (path) => dirname(path),
    analyse: (files) => analyseTerraformModule(files),
    countSyntaxErrors: (text) => withTree('terraform', text, countSyntaxErrors),
  };
}
