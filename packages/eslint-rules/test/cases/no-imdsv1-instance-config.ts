/** The RuleTester cases of no-imdsv1-instance-config; the compile test type-checks their suggestions. */
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import type { MessageIds, Options } from '../../src/rules/no-imdsv1-instance-config.ts';
import { at } from '../rule-tester.ts';

const CDK = `import { Aspects, Stack } from 'aws-cdk-lib';\nimport * as ec2 from 'aws-cdk-lib/aws-ec2';\nimport * as autoscaling from 'aws-cdk-lib/aws-autoscaling';\ndeclare const stack: Stack;\ndeclare const vpc: ec2.IVpc;\nconst instanceType = new ec2.InstanceType('t3.micro');\nconst machineImage = ec2.MachineImage.latestAmazonLinux2023();\n`;
const PULUMI = `import * as aws from '@pulumi/aws';\n`;
const SDK3 = `import { EC2Client, RunInstancesCommand, CreateLaunchTemplateCommand, ModifyInstanceMetadataOptionsCommand, ModifyInstanceMetadataDefaultsCommand } from '@aws-sdk/client-ec2';\nconst ec2 = new EC2Client({});\n`;

type Case = InvalidTestCase<MessageIds, Options>;

/** One finding at `snippet` whose suggestion turns `from` into `to`. */
function one(code: string, messageId: MessageIds, snippet: string, from: string | undefined, to: string, change: string, data?: Record<string, string>): Case {
  return {
    code,
    errors: [
      {
        messageId,
        ...at(code, snippet),
        ...(data ? { data } : {}),
        suggestions: from === undefined ? [] : [{ messageId: 'suggestRequireTokens', data: { change }, output: code.replace(from, to) }],
      },
    ],
    output: null,
  };
}

export const cases: { valid: (string | ValidTestCase<Options>)[]; invalid: Case[] } = {
  valid: [
    `${CDK}new ec2.Instance(stack, 'Web', { vpc, instanceType, machineImage, requireImdsv2: true });`,
    `${CDK}new ec2.LaunchTemplate(stack, 'Lt', { requireImdsv2: true });`,
    `${CDK}new ec2.LaunchTemplate(stack, 'Lt', { httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED });`,
    `${CDK}new ec2.LaunchTemplate(stack, 'Lt', { httpEndpoint: false });`,
    `${CDK}new autoscaling.AutoScalingGroup(stack, 'Asg', { vpc, instanceType, machineImage, requireImdsv2: true });`,
    // an aspect in the same file requires tokens on every construct of its kind
    `${CDK}new ec2.Instance(stack, 'Web', { vpc, instanceType, machineImage });\nAspects.of(stack).add(new ec2.InstanceRequireImdsv2Aspect());`,
    `${CDK}const aspect = new ec2.LaunchTemplateRequireImdsv2Aspect({ suppressWarnings: true });\nnew ec2.LaunchTemplate(stack, 'Lt', {});\nAspects.of(stack).add(aspect);`,
    // an auto scaling group launching from a template of this file: the template is what is judged
    `${CDK}const lt = new ec2.LaunchTemplate(stack, 'Lt', { requireImdsv2: true });\nnew autoscaling.AutoScalingGroup(stack, 'Asg', { vpc, launchTemplate: lt });`,
    `${CDK}new ec2.CfnInstance(stack, 'Host', { imageId: 'ami-1', metadataOptions: { httpTokens: 'required' } });`,
    `${CDK}new ec2.CfnInstance(stack, 'Host', { imageId: 'ami-1', metadataOptions: { httpEndpoint: 'disabled' } });`,
    `${CDK}const lt = new ec2.CfnLaunchTemplate(stack, 'Lt', { launchTemplateData: { metadataOptions: { httpTokens: 'required' } } });\nnew ec2.CfnInstance(stack, 'Host', { launchTemplate: { launchTemplateId: lt.ref, version: lt.attrLatestVersionNumber } });`,
    `${CDK}new autoscaling.CfnLaunchConfiguration(stack, 'Lc', { imageId: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: 'required' } });`,
    `${PULUMI}new aws.ec2.Instance('web', { ami: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 } });`,
    `import { ec2 } from '@pulumi/aws';\nnew ec2.LaunchTemplate('lt', { metadataOptions: { httpEndpoint: 'disabled' } });`,
    `import { Instance } from '@cdktf/provider-aws/lib/instance';\ndeclare const scope: never;\nnew Instance(scope, 'web', { ami: 'ami-1', metadataOptions: { httpTokens: 'required' } });`,
    `${SDK3}await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' } }));`,
    // launched from a template: the template's own options apply, checked where it is created
    `${SDK3}await ec2.send(new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: 'workers' }, MinCount: 1, MaxCount: 1 }));`,
    `${SDK3}await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: 'i-1', HttpTokens: 'required', HttpEndpoint: 'enabled' }));`,
    `${SDK3}await ec2.send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokens: 'no-preference' }));`,
    // the account default in the same file requires tokens (a note)
    // … and unrelated classes named Instance are not EC2
    `import { Instance } from './model';\nnew Instance('x', {});`,
    `const AWS = require('aws-sdk');\nnew AWS.EC2().describeInstances({}, () => {});`,
  ],
  invalid: [
    // --- AWS CDK L2 ----------------------------------------------------------------------------
    (() => {
      const code = `${CDK}new ec2.Instance(stack, 'Web', {\n  vpc,\n  instanceType,\n  machineImage,\n});\n`;
      return one(code, 'requireImdsv2Missing', `new ec2.Instance(stack, 'Web'`, 'machineImage,\n});', 'machineImage,\n  requireImdsv2: true,\n});', 'requireImdsv2: true', { resource: `ec2.Instance 'Web'` });
    })(),
    (() => {
      const code = `${CDK}new ec2.Instance(stack, 'Web', { vpc, instanceType, machineImage, requireImdsv2: false });\n`;
      return one(code, 'requireImdsv2Missing', 'requireImdsv2: false', 'requireImdsv2: false', 'requireImdsv2: true', 'requireImdsv2: true');
    })(),
    (() => {
      const code = `${CDK}new ec2.BastionHostLinux(stack, 'Bastion', { vpc });\n`;
      return one(code, 'requireImdsv2Missing', `new ec2.BastionHostLinux(stack, 'Bastion'`, '{ vpc }', '{ vpc, requireImdsv2: true }', 'requireImdsv2: true');
    })(),
    (() => {
      const code = `${CDK}new ec2.LaunchTemplate(stack, 'Lt', { httpTokens: ec2.LaunchTemplateHttpTokens.OPTIONAL });\n`;
      return one(code, 'tokensOptional', 'ec2.LaunchTemplateHttpTokens.OPTIONAL', 'HttpTokens.OPTIONAL', 'HttpTokens.REQUIRED', 'httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED', { resource: `ec2.LaunchTemplate 'Lt'`, value: 'optional', context: '' });
    })(),
    (() => {
      const code = `${CDK}new autoscaling.AutoScalingGroup(stack, 'Workers', { vpc, instanceType, machineImage, minCapacity: 2 });\n`;
      return one(code, 'requireImdsv2Missing', `new autoscaling.AutoScalingGroup(stack, 'Workers'`, 'minCapacity: 2 }', 'minCapacity: 2, requireImdsv2: true }', 'requireImdsv2: true');
    })(),
    (() => {
      // the aspect covers instances, not launch templates
      const code = `${CDK}Aspects.of(stack).add(new ec2.InstanceRequireImdsv2Aspect());\nnew ec2.LaunchTemplate(stack, 'Lt', {});\n`;
      return one(code, 'requireImdsv2Missing', `new ec2.LaunchTemplate(stack, 'Lt'`, `'Lt', {}`, `'Lt', { requireImdsv2: true }`, 'requireImdsv2: true');
    })(),
    (() => {
      const code = `${CDK}const lt = new ec2.LaunchTemplate(stack, 'Lt', { instanceType });\nnew autoscaling.AutoScalingGroup(stack, 'Asg', { vpc, launchTemplate: lt });\n`;
      return one(code, 'requireImdsv2Missing', `new ec2.LaunchTemplate(stack, 'Lt'`, '{ instanceType }', '{ instanceType, requireImdsv2: true }', 'requireImdsv2: true');
    })(),
    (() => {
      const code = `${CDK}declare const props: ec2.InstanceProps;\nnew ec2.Instance(stack, 'Web', { ...props });\n`;
      return one(code, 'cannotDetermine', `new ec2.Instance(stack, 'Web'`, undefined, '', '', { resource: `ec2.Instance 'Web'`, reason: 'the properties may set requireImdsv2: props is not a constant of this file' });
    })(),
    // --- AWS CDK L1 ----------------------------------------------------------------------------
    (() => {
      const code = `${CDK}new ec2.CfnLaunchTemplate(stack, 'Lt', {\n  launchTemplateData: {\n    metadataOptions: { httpTokens: 'optional', httpPutResponseHopLimit: 2 },\n  },\n});\n`;
      return one(code, 'tokensOptional', `'optional'`, `'optional'`, `'required'`, `httpTokens: 'required'`);
    })(),
    (() => {
      const code = `${CDK}new ec2.CfnLaunchTemplate(stack, 'Lt', { launchTemplateData: { imageId: 'ami-1' } });\n`;
      return one(code, 'tokensMissing', `new ec2.CfnLaunchTemplate(stack, 'Lt'`, `imageId: 'ami-1' }`, `imageId: 'ami-1', metadataOptions: { httpTokens: 'required' } }`, `httpTokens: 'required'`);
    })(),
    (() => {
      const code = `${CDK}new ec2.CfnInstance(stack, 'Host', { imageId: 'ami-1', metadataOptions: { httpPutResponseHopLimit: 1 } });\n`;
      return one(code, 'tokensMissing', `metadataOptions: { httpPutResponseHopLimit: 1 }`, `httpPutResponseHopLimit: 1 }`, `httpPutResponseHopLimit: 1, httpTokens: 'required' }`, `httpTokens: 'required'`);
    })(),
    (() => {
      const code = `${CDK}new autoscaling.CfnLaunchConfiguration(stack, 'Lc', { imageId: 'ami-1', instanceType: 't3.micro' });\n`;
      return one(code, 'tokensMissing', `new autoscaling.CfnLaunchConfiguration(stack, 'Lc'`, `instanceType: 't3.micro' }`, `instanceType: 't3.micro', metadataOptions: { httpTokens: 'required' } }`, `httpTokens: 'required'`);
    })(),
    (() => {
      const code = `${CDK}declare const templateId: string;\nnew ec2.CfnInstance(stack, 'Host', { launchTemplate: { launchTemplateId: templateId, version: '1' } });\n`;
      return one(code, 'cannotDetermine', `new ec2.CfnInstance(stack, 'Host'`, undefined, '', '', { resource: `ec2.CfnInstance 'Host'`, reason: `the launch template { launchTemplateId: templateId, version: '1' } is not in this configuration` });
    })(),
    // --- Pulumi and CDKTF -----------------------------------------------------------------------
    (() => {
      const code = `${PULUMI}export const web = new aws.ec2.Instance('web', {\n  ami: 'ami-1',\n  instanceType: 't3.micro',\n});\n`;
      return one(code, 'tokensMissing', `new aws.ec2.Instance('web'`, `instanceType: 't3.micro',\n});`, `instanceType: 't3.micro',\n  metadataOptions: { httpTokens: 'required' },\n});`, `httpTokens: 'required'`, { resource: `aws.ec2.Instance 'web'`, context: '' });
    })(),
    (() => {
      const code = `${PULUMI}const tokens = 'optional';\nnew aws.ec2.LaunchTemplate('lt', { metadataOptions: { httpTokens: tokens } });\n`;
      return { ...one(code, 'tokensOptional', 'tokens', undefined, '', ''), errors: [{ messageId: 'tokensOptional', ...at(code, 'tokens', 2), suggestions: [] }] };
    })(),
    (() => {
      const code = `${PULUMI}declare const prod: boolean;\nnew aws.ec2.LaunchConfiguration('lc', { imageId: 'ami-1', instanceType: 't3.micro', metadataOptions: { httpTokens: prod ? 'required' : 'optional' } });\n`;
      return one(code, 'tokensOptional', `prod ? 'required' : 'optional'`, undefined, '', '', { resource: `aws.ec2.LaunchConfiguration 'lc'`, value: 'optional', context: '' });
    })(),
    (() => {
      const code = `${PULUMI}new aws.ec2.InstanceMetadataDefaults('defaults', { httpTokens: 'required' });\nnew aws.ec2.Instance('web', { ami: 'ami-1' });\n`;
      return one(code, 'coveredByDefault', `new aws.ec2.Instance('web'`, `ami: 'ami-1' }`, `ami: 'ami-1', metadataOptions: { httpTokens: 'required' } }`, `httpTokens: 'required'`, { resource: `aws.ec2.Instance 'web'`, source: `aws.ec2.InstanceMetadataDefaults 'defaults'` });
    })(),
    (() => {
      const code = `import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';\ndeclare const scope: never;\nnew LaunchTemplate(scope, 'workers', { metadataOptions: { httpTokens: "optional" } });\n`;
      return one(code, 'tokensOptional', `"optional"`, `"optional"`, `'required'`, `httpTokens: 'required'`, { resource: `LaunchTemplate 'workers'`, value: 'optional', context: '' });
    })(),
    (() => {
      const code = `import * as aws from '@cdktf/provider-aws';\ndeclare const scope: never;\nnew aws.instance.Instance(scope, 'web', { ami: 'ami-1' });\n`;
      return one(code, 'tokensMissing', `new aws.instance.Instance(scope, 'web'`, `ami: 'ami-1' }`, `ami: 'ami-1', metadataOptions: { httpTokens: 'required' } }`, `httpTokens: 'required'`);
    })(),
    // --- AWS SDK --------------------------------------------------------------------------------
    (() => {
      const code = `${SDK3}await ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }));\n`;
      return one(code, 'tokensMissing', 'new RunInstancesCommand', 'MaxCount: 1 }', `MaxCount: 1, MetadataOptions: { HttpTokens: 'required' } }`, `HttpTokens: 'required'`, { resource: 'RunInstancesCommand', context: '' });
    })(),
    (() => {
      const code = `${SDK3}const input = { LaunchTemplateName: 'workers', LaunchTemplateData: { MetadataOptions: { HttpTokens: 'optional' as const } } };\nawait ec2.send(new CreateLaunchTemplateCommand(input));\n`;
      return one(code, 'tokensOptional', `'optional'`, `'optional'`, `'required'`, `HttpTokens: 'required'`);
    })(),
    (() => {
      const code = `${SDK3}await ec2.send(new ModifyInstanceMetadataOptionsCommand({ InstanceId: 'i-1', HttpEndpoint: 'enabled' }));\n`;
      return one(code, 'endpointEnabledWithoutTokens', 'new ModifyInstanceMetadataOptionsCommand', `HttpEndpoint: 'enabled' }`, `HttpEndpoint: 'enabled', HttpTokens: 'required' }`, `HttpTokens: 'required'`);
    })(),
    (() => {
      const code = `${SDK3}await ec2.send(new ModifyInstanceMetadataDefaultsCommand({ HttpTokens: 'optional' }));\n`;
      return one(code, 'tokensOptional', `'optional'`, `'optional'`, `'required'`, `HttpTokens: 'required'`);
    })(),
    (() => {
      const code = `const AWS = require('aws-sdk');\nconst ec2 = new AWS.EC2({ region: 'eu-west-1' });\nec2.runInstances({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, MetadataOptions: { HttpEndpoint: 'enabled' } }, (err, data) => console.log(err, data));\n`;
      return { ...one(code, 'tokensMissing', `MetadataOptions: { HttpEndpoint: 'enabled' }`, `HttpEndpoint: 'enabled' }`, `HttpEndpoint: 'enabled', HttpTokens: 'required' }`, `HttpTokens: 'required'`), filename: 'file.js' };
    })(),
    (() => {
      // the client is a parameter: the EC2 parameter names are evidence enough
      const code = `export const launch = (client: any) => client.runInstances({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1, MetadataOptions: { HttpTokens: 'optional' } }).promise();\n// uses aws-sdk v2\n`;
      return one(code, 'tokensOptional', `'optional'`, `'optional'`, `'required'`, `HttpTokens: 'required'`);
    })(),
  ],
};
