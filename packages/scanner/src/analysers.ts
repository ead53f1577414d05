import type { Analyser } from './analyser.js';
import { ansibleAnalyser } from './ansible/analyser.js';
import { shellAnalyser } from './bash/analyser.js';
import { ciAnalyser } from './ci/analyser.js';
import { cloudInitAnalyser } from './cloud-init/analyser.js';
import { cloudFormationAnalyser } from './cloudformation/analyser.js';
import { dockerfileAnalyser } from './dockerfile/analyser.js';
import { javascriptAnalyser } from './javascript/analyser.js';
import { makefileAnalyser } from './makefile/analyser.js';
import { packerAnalyser } from './packer/analyser.js';
import { powerShellAnalyser } from './powershell/analyser.js';
import { systemdAnalyser } from './systemd/analyser.js';
import { terraformAnalyser } from './terraform/analyser.js';

/** Every analyser a scan runs, in the order their findings are collected. */
export const ANALYSERS: readonly Analyser[] = [shellAnalyser(), cloudFormationAnalyser(), ansibleAnalyser(), packerAnalyser(), terraformAnalyser(), javascriptAnalyser(), dockerfileAnalyser(), powerShellAnalyser(), ciAnalyser(), cloudInitAnalyser(), makefileAnalyser(), systemdAnalyser()];
