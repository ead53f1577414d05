import { parseCurl } from './curl.js';
import { parseHttpie } from './httpie.js';
import type { ClientParser } from './request.js';
import { parseWget } from './wget.js';

export type { ClientParser, ClientRequest } from './request.js';

/** HTTP clients keyed by the basename of the program, as ShellCheck keys its command checks. */
export const CLIENTS: Record<string, ClientParser> = {
  curl: parseCurl,
  wget: parseWget,
  http: parseHttpie,
  https: parseHttpie,
};
