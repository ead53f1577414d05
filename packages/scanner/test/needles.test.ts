import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Analyser } from '../src/analyser.ts';
import { mayMentionImds, needleGroupsTest, needleTest, PREFILTER_NEEDLES } from '../src/prefilter.ts';
import { scanWith } from '../src/scan.ts';
import { tempTree } from '../../testkit/src/temp-tree.ts';

const bytesTest = (needles: readonly string[], text: string | Buffer) => needleTest(needles)(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('needleGroupsTest', () => {
  const groups = [['169.254.169.254', 'ec2metadata'], ['http_tokens', 'AWS::EC2::'], ['imds-guard-ignore'], ['254.169']];
  const test = needleGroupsTest(groups);
  const run = (text: string, wanted = 0b1111) => test(Buffer.from(text, 'utf8'), wanted);

  it('says which groups have a needle in the bytes, in one pass, each group as needleTest would', () => {
    const next = random(11);
    const pieces = [...groups.flat(), ...groups.flat().map((n) => n.slice(1)), 'x', ' ', '\n', '169.254.', 'aws::'];
    for (let i = 0; i < 3000; i++) {
      let text = '';
      for (let k = Math.floor(next() * 5); k > 0; k--) text += pieces[Math.floor(next() * pieces.length)]!;
      const expected = groups.reduce((m, needles, g) => (needleTest(needles)(Buffer.from(text)) ? m | (1 << g) : m), 0);
      assert.equal(run(text), expected, JSON.stringify(text));
    }
  });

  it('reports only the wanted groups, needles inside other needles included', () => {
    assert.equal(run('curl http://169.254.169.254/'), 0b1001);
    assert.equal(run('curl http://169.254.169.254/', 0b0001), 0b0001);
    assert.equal(run('curl http://169.254.169.254/', 0b0110), 0);
    assert.equal(run('Type: aws::ec2::Instance # IMDS-GUARD-IGNORE'), 0b0110);
  });

  it('finds a needle in a large file wherever it lies, across the boundaries of the interleaved scans', () => {
    const needle = '169.254.169.254';
    for (const size of [4096, 4099, 6001, 70_000]) {
      const quarter = size >>> 2;
      const starts = [0, size - needle.length];
      for (let k = 1; k <= 4; k++) for (let d = -needle.length - 2; d <= 2; d++) starts.push(k * quarter + d);
      for (const start of starts.filter((at) => at >= 0 && at + needle.length <= size)) {
        const bytes = Buffer.alloc(size, 'x');
        bytes.write(needle, start, 'latin1');
        assert.equal(test(bytes, 0b1111), 0b1001, `${needle} at ${start} of ${size}`);
        // Cut by one byte, it is no needle, and nothing is found.
        bytes.write('_', start + 7, 'latin1');
        assert.equal(test(bytes, 0b1111), 0, `cut needle at ${start} of ${size}`);
      }
    }
  });
});

describe('needleTest on raw bytes', () => {
  it('agrees with the shell prefilter on the decoded text, case and multi-byte characters included', () => {
    const next = random(6);
    const pieces = [...PREFILTER_NEEDLES, ...PREFILTER_NEEDLES.map((n) => n.slice(0, -1)), 'é', '✓', '\u{1F600}', 'İ', 'ſ', 'K', ' ', '\n', 'a', '-', '.', ':', '0x', '254', 'data'];
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const n = Math.floor(next() * 6);
      for (let k = 0; k < n; k++) {
        const piece = pieces[Math.floor(next() * pieces.length)]!;
        text += next() < 0.3 ? piece.toUpperCase() : next() < 0.3 ? [...piece].map((c) => (next() < 0.5 ? c.toUpperCase() : c)).join('') : piece;
      }
      assert.equal(bytesTest(PREFILTER_NEEDLES, text), mayMentionImds(text), JSON.stringify(text));
    }
  });

  it('finds each needle in any case, and only ASCII letters fold', () => {
    for (const needle of PREFILTER_NEEDLES) {
      assert.ok(bytesTest(PREFILTER_NEEDLES, `x ${needle.toUpperCase()} y`), needle);
      assert.ok(bytesTest(PREFILTER_NEEDLES, `\ufeff${needle}`), needle);
    }
    // The long s and the Kelvin sign fold to s and k only under Unicode rules; the text prefilter agrees.
    assert.equal(bytesTest(['instance'], 'in\u017Ftance'), false);
    assert.equal(mayMentionImds('in\u017Ftance-data'), false);
    assert.equal(bytesTest(['http_tokens'], 'HTTP_TOKENS'), true);
  });

  it('agrees with a case-insensitive regular expression for random needles over a small alphabet', () => {
    const next = random(11);
    const alphabet = ['a', 'b', 'A', 'B', '-', 'é'];
    const draw = (max: number) => Array.from({ length: 1 + Math.floor(next() * max) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
    const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    for (let i = 0; i < 3000; i++) {
      const needles = Array.from({ length: 1 + Math.floor(next() * 4) }, () => draw(4).replace(/é/g, 'e'));
      const text = draw(12);
      const expected = new RegExp(needles.map(escape).join('|'), 'i').test(text);
      assert.equal(bytesTest(needles, text), expected, `${JSON.stringify(needles)} in ${JSON.stringify(text)}`);
    }
    assert.equal(bytesTest(['she', 'he', 'hers'], 'uSHERs'), true);
    assert.equal(bytesTest(['aab'], 'aaab'), true);
    assert.equal(bytesTest(['abcd', 'bc'], 'xabcx'), true);
    assert.equal(bytesTest(['abcd'], 'abcabd'), false);
  });

  it('treats an empty list as matching nothing and an empty needle as matching everything', () => {
    assert.equal(bytesTest([], 'anything'), false);
    assert.equal(bytesTest(['', 'x'], 'anything'), true);
  });

  it('looks for a non-ASCII needle as its UTF-8 bytes', () => {
    assert.equal(bytesTest(['ümlaut'], 'an ümlaut here'), true);
    assert.equal(bytesTest(['ümlaut'], 'an umlaut here'), false);
  });
});

describe('the scan with needles', () => {
  const t = tempTree();
  after(t.cleanup);
  t.write('upper.sh', 'curl HTTP://INSTANCE-DATA/latest/meta-data/\n');
  t.write('plain.sh', 'echo nothing here\n');
  t.write('latin1.sh', Buffer.from('echo caf\xe9\n', 'latin1'));

  function recording(needles: readonly string[] | undefined) {
    const decoded: string[] = [];
    const analysed: string[] = [];
    const analyser: Analyser = {
      name: 'rec',
      claims: (path) => path.endsWith('.sh'),
      mayMatter: (text) => {
        decoded.push(text);
        return mayMentionImds(text);
      },
      ...(needles ? { needles } : {}),
      async analyse(files) {
        analysed.push(...files.map((f) => f.file));
        return files.map((f) => ({ file: f.file, findings: [], syntaxProblems: [] }));
      },
      countSyntaxErrors: async () => 0,
    };
    return { analyser, decoded, analysed };
  }

  it('decodes only the files whose bytes hold a needle, with the same result as without needles', async () => {
    const withNeedles = recording(PREFILTER_NEEDLES);
    const without = recording(undefined);
    const a = await scanWith([withNeedles.analyser], ['.'], { cwd: t.root });
    const b = await scanWith([without.analyser], ['.'], { cwd: t.root });
    assert.deepStrictEqual(a, b);
    assert.deepEqual(withNeedles.analysed, ['upper.sh']);
    assert.deepEqual(withNeedles.decoded, ['curl HTTP://INSTANCE-DATA/latest/meta-data/\n']);
    assert.equal(without.decoded.length, 2);
    // Invalid UTF-8 is still reported, needle or not.
    assert.deepEqual(a.errors, [{ file: 'latin1.sh', message: 'not valid UTF-8; only UTF-8 text is supported' }]);
  });
});
