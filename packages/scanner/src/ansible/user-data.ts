import { isScalar } from 'yaml';
import { nested, userDataPieces, type EmbeddedShell } from '../embedded/index.js';
import { adaptTasks } from './adapter.js';
import { evaluateNode } from './jinja.js';
import { jinjaToShell } from './jinja-text.js';
import { scalarText } from './scalar-text.js';
import type { TaskSite } from './walk.js';
import { deref, findPair } from './yaml.js';

/** Characters a variable's value may hold to be written into user data in its place. */
const PLAIN_VALUE = /^[A-Za-z0-9_.:/@%+=,~[\]-]*$/;

/**
 * The code in the `user_data` of ec2_instance tasks (a script, cloud-config, `<powershell>`),
 * mapped onto the task file. When the task's own `metadata_options` require tokens, a tokenless
 * request in it is reported as breaking the instance at boot, naming the task as the adapter
 * does (`task[12]:Launch web`). User data read from a file (`{{ lookup('file', …) }}`) is not
 * followed.
 */
export function instanceUserData(sites: readonly TaskSite[]): EmbeddedShell[] {
  const instances = sites.filter((s) => s.family === 'instance');
  if (instances.length === 0) return [];
  const required = new Set(
    adaptTasks(instances)
      .configs.filter((c) => c.metadata?.httpTokens.state === 'set' && c.metadata.httpTokens.values.every((v) => v === 'required'))
      .map((c) => c.address),
  );
  const pieces: EmbeddedShell[] = [];
  for (const site of instances) {
    const pair = (site.args && findPair(site.args, 'user_data', site.doc)) ?? (site.extraArgs && findPair(site.extraArgs, 'user_data', site.doc));
    const node = deref(pair?.value, site.doc);
    if (!isScalar(node) || typeof node.value !== 'string') continue;
    const yaml = scalarText(site.file.source.text, node);
    if (!yaml) continue;
    const resolve = (name: string) => {
      const def = site.scope.lookup(name);
      const result = def && evaluateNode(def.node, def.file, def.doc, site.scope);
      const only = result?.ok && result.options.length === 1 ? result.options[0] : undefined;
      return only?.t === 'str' && PLAIN_VALUE.test(only.value) ? only.value : undefined;
    };
    const address = `task[${site.line}]:${site.name ?? site.module}`;
    const userData: EmbeddedShell = {
      ...nested(yaml.piece, jinjaToShell(yaml.piece.text, resolve)),
      context: site.name ? `in the user_data of task '${site.name}'` : `in the user_data of the ${site.module} task at line ${site.line}`,
      ...(required.has(address) ? { requiredBy: address } : {}),
    };
    pieces.push(...userDataPieces(userData));
  }
  return pieces;
}
