import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { OpsConsole } from '../constructs/ops-console';

export interface ConsoleStackProps extends StackProps {
  readonly api: apigw.IHttpApi;
  readonly projectRoot: string;
}

/**
 * The ops console (S3 behind CloudFront, which also fronts the HTTP API), in a stack of its own: the service
 * stack is near CloudFormation's 500-resource limit, and the console can be replaced without touching it.
 */
export class ConsoleStack extends Stack {
  readonly console: OpsConsole;

  constructor(scope: Construct, id: string, props: ConsoleStackProps) {
    super(scope, id, props);
    this.console = new OpsConsole(this, 'Console', { api: props.api, projectRoot: props.projectRoot });
    new CfnOutput(this, 'ConsoleUrl', {
      value: `https://${this.console.distribution.distributionDomainName}/console`,
      description: 'Ops console (sign in with an ops key); the same distribution serves the API',
    });
  }
}
