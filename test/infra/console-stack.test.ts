import { spawnSync } from 'node:child_process';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { kpiCounterMetrics, kpiDurationMetrics } from '../../functions/contracts/kpi-metrics';
import { type SynthesizedSystem, synthesizeSystem } from './synth';

/**
 * The ops console in AWS: static files on a private bucket read by CloudFront through origin access control,
 * and the HTTP API behind the same distribution, so the console calls the API on its own origin (as with
 * `npm start`). cdk-nag passes at synth (it throws otherwise); cfn-lint checks the template.
 */
let synthesized: SynthesizedSystem;
let template: Template;

beforeAll(async () => {
  synthesized = await synthesizeSystem();
  template = Template.fromJSON(synthesized.templates.console);
});

describe('console stack', () => {
  it('keeps the assets bucket private, encrypted and TLS-only, read by CloudFront through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'assets/' }),
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      }),
    });
  });

  it('serves /console* from the bucket with security headers, and everything else from the HTTP API, uncached, with the key header', () => {
    const distribution = Object.values(synthesized.templates.console.Resources).find(
      (resource) => resource.Type === 'AWS::CloudFront::Distribution',
    );
    if (!distribution) throw new Error('no CloudFront distribution');
    const config = (distribution.Properties as { DistributionConfig: Record<string, unknown> })
      .DistributionConfig;
    const behaviours = config.CacheBehaviors as { PathPattern: string; ResponseHeadersPolicyId?: unknown }[];
    expect(behaviours.map((behaviour) => behaviour.PathPattern)).toEqual(['/console*']);
    expect(behaviours[0]?.ResponseHeadersPolicyId).toBeDefined();
    expect(config.DefaultCacheBehavior).toMatchObject({
      // Managed policies: CachingDisabled and AllViewerExceptHostHeader (x-api-key reaches the API).
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
      ViewerProtocolPolicy: 'redirect-to-https',
    });
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: Match.objectLike({
            ContentSecurityPolicy: Match.stringLikeRegexp("default-src 'self'"),
          }),
        }),
      }),
    });
  });

  it('deploys the console bundled at synth (index.html, main.js, main.css) under console/', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: 'console/' });
  });

  it('draws every KPI metric countKpis publishes on a CloudWatch dashboard, with p50 and p95 of the durations', () => {
    const dashboards = Object.values(synthesized.templates.service.Resources).filter(
      (resource) => resource.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const name of [...Object.values(kpiCounterMetrics), ...Object.values(kpiDurationMetrics)])
      expect(body, name).toContain(`\\"${name}\\"`);
    expect(body).toContain('p95');
  });

  it('leaves the service stack under CloudFormation’s 500-resource limit', () => {
    expect(Object.keys(synthesized.templates.service.Resources).length).toBeLessThanOrEqual(500);
  });

  it('passes cfn-lint (W3045: CloudFront standard logging needs the log bucket’s ACL, set by aws-cdk-lib)', () => {
    const lint = spawnSync('cfn-lint', ['-i', 'W3005', 'W3045', '--', synthesized.templateFiles.console], {
      encoding: 'utf8',
    });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });
});
