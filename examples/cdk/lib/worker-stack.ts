// The batch workers' stack: a bastion, an auto scaling group of workers and one build host.
import { Stack, type StackProps } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

export class WorkerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const vpc = ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true });
    const machineImage = ec2.MachineImage.latestAmazonLinux2023();

    // IMDSv1 stays on: no requireImdsv2
    new ec2.Instance(this, 'BuildHost', {
      vpc,
      instanceType: new ec2.InstanceType('c6i.large'),
      machineImage,
    });

    // IMDSv2 only: the launch template requires tokens, and the group launches from it
    const workerTemplate = new ec2.LaunchTemplate(this, 'WorkerTemplate', {
      instanceType: new ec2.InstanceType('m6i.large'),
      machineImage,
      requireImdsv2: true,
    });
    new autoscaling.AutoScalingGroup(this, 'Workers', { vpc, launchTemplate: workerTemplate, minCapacity: 1, maxCapacity: 8 });

    // an L1 launch template that sets HttpTokens to optional explicitly
    new ec2.CfnLaunchTemplate(this, 'LegacyAgents', {
      launchTemplateData: {
        imageId: machineImage.getImage(this).imageId,
        metadataOptions: { httpTokens: 'optional', httpPutResponseHopLimit: 2 },
      },
    });
  }
}
