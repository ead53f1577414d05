import rule from '../src/rules/no-imdsv1-instance-config.ts';
import { cases } from './cases/no-imdsv1-instance-config.ts';
import { RuleTester } from './rule-tester.ts';

new RuleTester().run('no-imdsv1-instance-config', rule, cases);
