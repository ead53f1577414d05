import type { MappedChar } from '../dockerfile/logical-text.js';

/** One `Key=Value` setting of a unit file, its value as systemd reads it, mapped to the file. */
export interface UnitSetting {
  readonly section: string;
  readonly key: string;
  readonly keyStart: number;
  readonly value: MappedChar[];
}

export interface UnitFile {
  readonly settings: UnitSetting[];
  /** Offsets of lines systemd ignores with a warning (no `=`, no section header). */
  readonly problems: number[];
}

/**
 * Reads a unit file the way systemd.syntax(7) describes it: `[Section]` headers, `Key=Value`
 * lines (blanks around `=` ignored), `#` and `;` comment lines; a line ending in a backslash is
 * joined to the next with the backslash read as a space, and comment lines inside such a
 * continuation are skipped without ending it.
 */
export function readUnit(host: string): UnitFile {
  const settings: UnitSetting[] = [];
  const problems: number[] = [];
  let section = '';
  let i = 0;
  while (i < host.length) {
    const start = i;
    const { chars, next } = logicalLine(host, i);
    i = next;
    const text = chars.map((c) => c.char).join('');
    const trimmed = text.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (trimmed.startsWith('[')) {
      if (trimmed.endsWith(']')) section = trimmed.slice(1, -1);
      else problems.push(start);
      continue;
    }
    const eq = text.indexOf('=');
    if (eq < 0) {
      problems.push(start);
      continue;
    }
    let v = eq + 1;
    while (v < chars.length && /[ \t]/.test(chars[v]!.char)) v++;
    let end = chars.length;
    while (end > v && /[ \t\r]/.test(chars[end - 1]!.char)) end--;
    const lead = text.length - text.trimStart().length;
    settings.push({ section, key: text.slice(lead, eq).trim(), keyStart: chars[lead]!.hostStart, value: chars.slice(v, end) });
  }
  return { settings, problems };
}

function logicalLine(host: string, from: number): { chars: MappedChar[]; next: number } {
  const chars: MappedChar[] = [];
  let i = from;
  let continued = false;
  for (;;) {
    const eol = host.indexOf('\n', i);
    const end = eol < 0 ? host.length : eol;
    const next = eol < 0 ? host.length : eol + 1;
    const line = host.slice(i, end);
    if (continued && /^[ \t]*[#;]/.test(line)) {
      if (next >= host.length) return { chars, next };
      i = next;
      continue;
    }
    const body = line.endsWith('\r') ? end - 1 : end;
    continued = host[body - 1] === '\\' && body > i;
    const last = continued ? body - 1 : body;
    for (let k = i; k < last; k++) chars.push({ char: host[k]!, hostStart: k, hostEnd: k + 1 });
    if (continued) chars.push({ char: ' ', hostStart: body - 1, hostEnd: next });
    if (!continued || next >= host.length) return { chars, next };
    i = next;
  }
}
