import rule from '../src/rules/no-invalid-imds-token-request.ts';
import { cases } from './cases/no-invalid-imds-token-request.ts';
import { RuleTester } from './rule-tester.ts';

new RuleTester().run('no-invalid-imds-token-request', rule, cases);
