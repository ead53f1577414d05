import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayMentionImds, PREFILTER_NEEDLES } from '../src/prefilter.ts';

describe('mayMentionImds', () => {
  it('finds every needle, also in upper case', () => {
    for (const needle of PREFILTER_NEEDLES) {
      assert.ok(mayMentionImds(`x ${needle} y`), needle);
      assert.ok(mayMentionImds(`x ${needle.toUpperCase()} y`), needle.toUpperCase());
    }
  });

  it('passes over scripts that mention nothing IMDS-related', () => {
    assert.equal(mayMentionImds('#!/bin/sh\ncurl -s https://example.com/\naws s3 ls\n'), false);
    assert.equal(mayMentionImds(''), false);
  });

  it('treats the dots of an address literally', () => {
    assert.equal(mayMentionImds('169x254x169x254'), false);
  });
});
