// Version constraints and the IMDS defaults of the terraform-aws-modules modules by version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identifyModule } from '../src/terraform/module-calls.ts';
import { allowsSomeVersionIn, MODULE_SPECS, moduleDefault, parseConstraint, parseVersion, type Version } from '../src/terraform/module-versions.ts';

const ec2 = MODULE_SPECS['ec2-instance']!;
const asg = MODULE_SPECS['autoscaling']!;
const eks = MODULE_SPECS['eks']!;

/** Whether `constraint` allows exactly `version` (a one-version window). */
function allows(constraint: string, version: Version): boolean {
  const range = parseConstraint(constraint);
  assert.ok(range, `cannot parse ${constraint}`);
  const next: Version = [version[0], version[1], version[2] + 1];
  return allowsSomeVersionIn(range, version, next);
}

describe('terraform module versions: constraints', () => {
  it('parses versions with one to three parts and a leading v', () => {
    assert.deepEqual(parseVersion('5.7.1'), [5, 7, 1]);
    assert.deepEqual(parseVersion('v6'), [6, 0, 0]);
    assert.deepEqual(parseVersion('20.31'), [20, 31, 0]);
    assert.deepEqual(parseVersion('5.0.0-beta1'), [5, 0, 0]);
    assert.equal(parseVersion('latest'), undefined);
  });

  it('reads ~> as Terraform documents it: only the right-most given part grows', () => {
    assert.ok(allows('~> 5.7.1', [5, 7, 9]));
    assert.ok(!allows('~> 5.7.1', [5, 8, 0]));
    assert.ok(allows('~> 5.7', [5, 99, 0]));
    assert.ok(!allows('~> 5.7', [6, 0, 0]));
    assert.ok(!allows('~> 5.7', [5, 6, 9]));
    assert.ok(allows('~> 5', [7, 0, 0]));
  });

  it('intersects clauses and honours = and !=', () => {
    assert.ok(allows('>= 5.0, < 5.8', [5, 7, 1]));
    assert.ok(!allows('>= 5.0, < 5.8', [5, 8, 0]));
    assert.ok(allows('5.7.1', [5, 7, 1]));
    assert.ok(allows('= 5.7.1', [5, 7, 1]));
    assert.ok(!allows('5.7.1', [5, 7, 2]));
    assert.ok(!allows('5.7.1, != 5.7.1', [5, 7, 1]));
    assert.ok(allows('> 5.7.1', [5, 7, 2]));
    assert.ok(!allows('> 5.7.1', [5, 7, 0]));
    assert.ok(allows('<= 5.7.1', [5, 7, 1]));
  });

  it('rejects what is not a constraint', () => {
    assert.equal(parseConstraint('~> five'), undefined);
    assert.equal(parseConstraint('>= 5.0,'), undefined);
    assert.equal(parseConstraint(''), undefined);
  });
});

describe('terraform module versions: defaults', () => {
  it('ec2-instance sends optional before 5.8.0 and required from then on', () => {
    assert.equal(moduleDefault(ec2, '5.7.1', 'absent').tokens, 'optional');
    assert.equal(moduleDefault(ec2, '~> 4.0', 'absent').tokens, 'optional');
    assert.equal(moduleDefault(ec2, '~> 5.7.0', 'absent').tokens, 'optional');
    assert.equal(moduleDefault(ec2, '5.8.0', 'absent').tokens, 'required');
    assert.equal(moduleDefault(ec2, '>= 5.8', 'absent').tokens, 'required');
    assert.equal(moduleDefault(ec2, '~> 6.0', 'absent').tokens, 'required');
  });

  it('a constraint spanning versions with different defaults cannot be judged, and says why', () => {
    const verdict = moduleDefault(ec2, '~> 5.0', 'absent');
    assert.equal(verdict.tokens, 'unknown');
    assert.match(verdict.reason!, /"~> 5.0" allows versions with different defaults/);
    assert.match(verdict.reason!, /5\.0\.0 to before 5\.8\.0: optional; 5\.8\.0 to before 6\.0\.0: required/);
  });

  it('an unpinned module can be any version', () => {
    const verdict = moduleDefault(ec2, undefined, 'absent');
    assert.equal(verdict.tokens, 'unknown');
    assert.match(verdict.reason!, /no version is pinned/);
  });

  it('a map without http_tokens keeps each version\'s own fallback', () => {
    assert.equal(moduleDefault(ec2, '4.3.0', 'partial').tokens, 'optional');
    assert.equal(moduleDefault(ec2, '6.1.0', 'partial').tokens, 'required');
    assert.equal(moduleDefault(ec2, '6.1.0', 'null').tokens, 'aws-default');
  });

  it('autoscaling sends no options before 9.0.0 and required from 9.0.0', () => {
    assert.equal(moduleDefault(asg, '~> 6.0', 'absent').tokens, 'aws-default');
    assert.equal(moduleDefault(asg, '8.3.0', 'partial').tokens, 'aws-default');
    assert.equal(moduleDefault(asg, '~> 9.0', 'absent').tokens, 'required');
    assert.equal(moduleDefault(asg, '>= 8.0', 'absent').tokens, 'unknown');
  });

  it('eks node groups require tokens from v18', () => {
    assert.equal(moduleDefault(eks, '~> 20.0', 'absent').tokens, 'required');
    assert.equal(moduleDefault(eks, '~> 21.0', 'partial').tokens, 'required');
    assert.equal(moduleDefault(eks, '17.24.0', 'absent').tokens, 'unknown');
    assert.equal(moduleDefault(eks, '~> 20.0', 'partial').tokens, 'unknown');
  });

  it('a constraint no version satisfies, or one that does not parse, is unknown', () => {
    assert.equal(moduleDefault(ec2, '>= 6.0, < 5.0', 'absent').tokens, 'unknown');
    assert.match(moduleDefault(ec2, 'latest', 'absent').reason!, /cannot be read/);
  });
});

describe('terraform module sources', () => {
  it('recognises registry addresses, with or without the host, and submodules', () => {
    assert.equal(identifyModule('terraform-aws-modules/ec2-instance/aws', '5.7.1')?.spec, ec2);
    assert.equal(identifyModule('registry.terraform.io/terraform-aws-modules/autoscaling/aws', '~> 9.0')?.constraint, '~> 9.0');
    const sub = identifyModule('terraform-aws-modules/eks/aws//modules/eks-managed-node-group', '20.31.0');
    assert.equal(sub?.spec, eks);
    assert.equal(sub?.submodule, 'modules/eks-managed-node-group');
  });

  it('takes the version of a GitHub source from its ref', () => {
    const git = identifyModule('git::https://github.com/terraform-aws-modules/terraform-aws-ec2-instance.git?ref=v5.2.0', undefined);
    assert.equal(git?.spec, ec2);
    assert.equal(git?.constraint, '5.2.0');
    assert.equal(identifyModule('github.com/terraform-aws-modules/terraform-aws-autoscaling?ref=main', undefined)?.constraint, undefined);
  });

  it('ignores other modules', () => {
    assert.equal(identifyModule('terraform-aws-modules/vpc/aws', '5.0.0'), undefined);
    assert.equal(identifyModule('./modules/ec2-instance', undefined), undefined);
    assert.equal(identifyModule('cloudposse/ec2-instance/aws', '1.0.0'), undefined);
  });
});
