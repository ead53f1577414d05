import { classifyUrl, type Method, type RequestModel } from '@imds-guard/core';
import type { ArgItem } from '../evaluate.js';

/** A request found in one client invocation, with the words it came from (for fixes). */
export interface ClientRequest extends RequestModel {
  readonly urlItem: ArgItem;
  readonly headerItems: readonly ArgItem[];
}

export type ClientParser = (args: readonly ArgItem[]) => ClientRequest[];

/** Of a word's possible values, the one that best identifies the target: IMDS first. */
export function pickUrl(item: ArgItem): string {
  return item.values.find((v) => classifyUrl(v).kind === 'imds') ?? item.values[0] ?? '';
}

export function describeSpread(item: ArgItem): string {
  const source = item.node?.text ?? 'an expansion';
  return `the words of ${source} are not known, and may add headers`;
}

export function buildRequests(
  client: string,
  method: Method,
  urls: readonly ArgItem[],
  headerItems: readonly ArgItem[],
  unresolvedHeaders: string | undefined,
): ClientRequest[] {
  const headers = headerItems.flatMap((h) => h.values);
  return urls.map((urlItem) => ({ client, method, url: pickUrl(urlItem), headers, unresolvedHeaders, urlItem, headerItems }));
}

/** A method word as given to `-X`/`--method`, case-insensitively. */
export function asMethod(text: string): Method {
  const upper = text.toUpperCase();
  return upper === 'GET' || upper === 'HEAD' || upper === 'PUT' || upper === 'POST' ? upper : 'OTHER';
}
