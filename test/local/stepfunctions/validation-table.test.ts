import { describe, expect, it } from 'vitest';
import {
  type IntegrationPattern,
  optimizedIntegrations,
  patternSuffix,
  resourceProblem,
} from '../../../local/emulators/stepfunctions/validation';

/**
 * The exported table is the one the validator enforces: every (service, action, pattern) it lists is
 * accepted, every pattern it does not list is refused, and per service it matches AWS's summary table
 * (https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html).
 */
const patterns = Object.keys(patternSuffix) as IntegrationPattern[];
const arn = (service: string, action: string, pattern: IntegrationPattern) =>
  `arn:aws:states:::${service}:${action}${patternSuffix[pattern]}`;

const cases = optimizedIntegrations.flatMap((row) =>
  Object.entries(row.actions).flatMap(([action, supported]) =>
    patterns.map((pattern) => ({
      row: row.name,
      resource: arn(row.service, action, pattern),
      supported: supported.includes(pattern),
      pattern,
    })),
  ),
);

describe('the integrations × patterns table', () => {
  it.each(cases)('$resource: supported=$supported', ({ resource, supported, pattern }) => {
    const standard = resourceProblem(resource, 'STANDARD');
    const express = resourceProblem(resource, 'EXPRESS');
    if (supported) expect(standard).toBeUndefined();
    else expect(standard).toMatch(/does not support/);
    // Express: Request Response only.
    if (supported && pattern === 'REQUEST_RESPONSE') expect(express).toBeUndefined();
    else expect(express).toBeDefined();
  });

  it('per service, the patterns match the AWS summary table (EKS callback left out: its own page says unsupported)', () => {
    const RR = 'REQUEST_RESPONSE';
    const SYNC = 'RUN_JOB';
    const TOKEN = 'WAIT_FOR_TASK_TOKEN';
    const summary = Object.fromEntries(
      optimizedIntegrations.map((row) => [row.name, [...new Set(Object.values(row.actions).flat())].sort()]),
    );
    expect(summary).toEqual({
      'Amazon API Gateway': [RR, TOKEN].sort(),
      'Amazon Athena': [RR, SYNC].sort(),
      'AWS Batch': [RR, SYNC].sort(),
      'Amazon Bedrock': [RR, SYNC, TOKEN].sort(),
      'AWS CodeBuild': [RR, SYNC].sort(),
      'Amazon DynamoDB': [RR],
      'Amazon ECS/Fargate': [RR, SYNC, TOKEN].sort(),
      'Amazon EKS': [RR, SYNC].sort(),
      'Amazon EMR': [RR, SYNC].sort(),
      'Amazon EMR on EKS': [RR, SYNC].sort(),
      'Amazon EMR Serverless': [RR, SYNC].sort(),
      'Amazon EventBridge': [RR, TOKEN].sort(),
      'AWS Glue': [RR, SYNC].sort(),
      'AWS Glue DataBrew': [RR, SYNC].sort(),
      'AWS Lambda': [RR, TOKEN].sort(),
      'AWS Elemental MediaConvert': [RR, SYNC].sort(),
      'Amazon SageMaker': [RR, SYNC].sort(),
      'Amazon SNS': [RR, TOKEN].sort(),
      'Amazon SQS': [RR, TOKEN].sort(),
      'AWS Step Functions': [RR, SYNC, 'RUN_JOB_V2', TOKEN].sort(),
      'HTTP Task': [RR],
    });
  });

  it('the optimized DynamoDB integration is the four item APIs, Request Response only', () => {
    const dynamodb = optimizedIntegrations.find((row) => row.service === 'dynamodb');
    expect(dynamodb?.actions).toEqual({
      getItem: ['REQUEST_RESPONSE'],
      putItem: ['REQUEST_RESPONSE'],
      updateItem: ['REQUEST_RESPONSE'],
      deleteItem: ['REQUEST_RESPONSE'],
    });
  });

  it('AWS SDK integrations: Request Response and .waitForTaskToken, never .sync', () => {
    expect(resourceProblem('arn:aws:states:::aws-sdk:dynamodb:query', 'STANDARD')).toBeUndefined();
    expect(
      resourceProblem('arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken', 'STANDARD'),
    ).toBeUndefined();
    expect(resourceProblem('arn:aws:states:::aws-sdk:glue:startJobRun.sync', 'STANDARD')).toMatch(
      /does not support/,
    );
    expect(resourceProblem('arn:aws-cn:states:::aws-sdk:s3:getObject', 'STANDARD')).toBeUndefined();
  });
});
