#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { prefetchGitListings } from '@imds-guard/scanner/git-listing';

// Listing a large repository with git takes longer than loading the analysers, so it starts first
// and the two overlap. A guess only: words that name existing paths are the directories to scan
// (none means the current one); discovery uses a listing only if it asks for the same.
const argv = process.argv.slice(2);
if (argv[0] === 'scan' || argv[0] === 'baseline') {
  const paths = argv.slice(1).filter((a) => !a.startsWith('-') && existsSync(a));
  void prefetchGitListings(paths.length > 0 ? paths : ['.']);
}

const { main } = await import('../dist/main.js');
process.exitCode = await main(argv);
