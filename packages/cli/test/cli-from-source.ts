// The CLI as the bin runs it, but from src/, so that spawned tests never see a stale dist/.
import { main } from '../src/main.ts';

process.exitCode = await main(process.argv.slice(2));
