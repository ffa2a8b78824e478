/**
 * Which Task `Resource` values AWS Step Functions accepts, and with which integration pattern.
 *
 * Source: "Integrating optimized services with Step Functions" (the table of integrations × patterns)
 *   https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
 *   (also published as connect-supported-services.html), and each service's own page (linked per row)
 *   for the API actions and, where the page says so, which action supports which pattern.
 * The table says: every optimized integration supports Request Response; `.sync` and
 * `.waitForTaskToken` only where listed; Express workflows support Request Response only; the AWS SDK
 * integrations (`aws-sdk:<service>:<apiAction>`) support Request Response and `.waitForTaskToken`,
 * never `.sync`.
 *
 * Where the docs disagree we take the stricter reading (the local cloud must refuse what AWS may refuse):
 *   - Amazon EKS: the summary table marks `.waitForTaskToken` "Standard", the EKS page says "not supported";
 *     it is left out.
 *   - Amazon Bedrock: the summary table marks `.waitForTaskToken` "Standard" without naming the action;
 *     the Bedrock page names invokeModel (Request Response) and createModelCustomizationJob (and `.sync`);
 *     we attribute the callback pattern to invokeModel only.
 */
export type IntegrationPattern = 'REQUEST_RESPONSE' | 'RUN_JOB' | 'RUN_JOB_V2' | 'WAIT_FOR_TASK_TOKEN';

/** The Resource suffix of each pattern (`states:startExecution.sync:2` is the JSON-output `.sync`). */
export const patternSuffix: Readonly<Record<IntegrationPattern, string>> = {
  REQUEST_RESPONSE: '',
  RUN_JOB: '.sync',
  RUN_JOB_V2: '.sync:2',
  WAIT_FOR_TASK_TOKEN: '.waitForTaskToken',
};

export interface OptimizedIntegration {
  /** The service segment of `arn:aws:states:::<service>:<action>`. */
  readonly service: string;
  /** The row's name in AWS's table. */
  readonly name: string;
  /** The service's page, which lists the supported API actions. */
  readonly docs: string;
  /** Each supported API action and the patterns AWS accepts for it. */
  readonly actions: Readonly<Record<string, readonly IntegrationPattern[]>>;
}

const dg = 'https://docs.aws.amazon.com/step-functions/latest/dg';
const RR: readonly IntegrationPattern[] = ['REQUEST_RESPONSE'];
const RR_SYNC: readonly IntegrationPattern[] = ['REQUEST_RESPONSE', 'RUN_JOB'];
const RR_TOKEN: readonly IntegrationPattern[] = ['REQUEST_RESPONSE', 'WAIT_FOR_TASK_TOKEN'];
const all = (actions: string[], patterns: readonly IntegrationPattern[]) =>
  Object.fromEntries(actions.map((action) => [action, patterns]));

export const optimizedIntegrations: readonly OptimizedIntegration[] = [
  {
    service: 'apigateway',
    name: 'Amazon API Gateway',
    docs: `${dg}/connect-api-gateway.html`,
    actions: { invoke: RR_TOKEN },
  },
  {
    service: 'athena',
    name: 'Amazon Athena',
    docs: `${dg}/connect-athena.html`,
    actions: {
      startQueryExecution: RR_SYNC,
      ...all(['stopQueryExecution', 'getQueryExecution', 'getQueryResults'], RR),
    },
  },
  { service: 'batch', name: 'AWS Batch', docs: `${dg}/connect-batch.html`, actions: { submitJob: RR_SYNC } },
  {
    service: 'bedrock',
    name: 'Amazon Bedrock',
    docs: `${dg}/connect-bedrock.html`,
    actions: { invokeModel: RR_TOKEN, createModelCustomizationJob: RR_SYNC },
  },
  {
    service: 'codebuild',
    name: 'AWS CodeBuild',
    docs: `${dg}/connect-codebuild.html`,
    actions: {
      ...all(['startBuild', 'startBuildBatch', 'retryBuildBatch'], RR_SYNC),
      ...all(['stopBuild', 'batchDeleteBuilds', 'batchGetReports', 'stopBuildBatch', 'deleteBuildBatch'], RR),
    },
  },
  {
    // "How the optimized DynamoDB integration is different": no .sync, no .waitForTaskToken, four item APIs.
    service: 'dynamodb',
    name: 'Amazon DynamoDB',
    docs: `${dg}/connect-ddb.html`,
    actions: all(['getItem', 'putItem', 'updateItem', 'deleteItem'], RR),
  },
  {
    service: 'ecs',
    name: 'Amazon ECS/Fargate',
    docs: `${dg}/connect-ecs.html`,
    actions: { runTask: ['REQUEST_RESPONSE', 'RUN_JOB', 'WAIT_FOR_TASK_TOKEN'] },
  },
  {
    service: 'eks',
    name: 'Amazon EKS',
    docs: `${dg}/connect-eks.html`,
    actions: {
      call: RR,
      ...all(
        [
          'runJob',
          'createCluster',
          'deleteCluster',
          'createFargateProfile',
          'deleteFargateProfile',
          'createNodegroup',
          'deleteNodegroup',
        ],
        RR_SYNC,
      ),
    },
  },
  {
    service: 'elasticmapreduce',
    name: 'Amazon EMR',
    docs: `${dg}/connect-emr.html`,
    actions: {
      ...all(['createCluster', 'terminateCluster', 'addStep'], RR_SYNC),
      ...all(
        [
          'setClusterTerminationProtection',
          'cancelStep',
          'modifyInstanceFleetByName',
          'modifyInstanceGroupByName',
        ],
        RR,
      ),
    },
  },
  {
    service: 'emr-containers',
    name: 'Amazon EMR on EKS',
    docs: `${dg}/connect-emr-eks.html`,
    actions: { createVirtualCluster: RR, deleteVirtualCluster: RR_SYNC, startJobRun: RR_SYNC },
  },
  {
    service: 'emr-serverless',
    name: 'Amazon EMR Serverless',
    docs: `${dg}/connect-emr-serverless.html`,
    actions: all(
      [
        'createApplication',
        'startApplication',
        'stopApplication',
        'deleteApplication',
        'startJobRun',
        'cancelJobRun',
      ],
      RR_SYNC,
    ),
  },
  {
    service: 'events',
    name: 'Amazon EventBridge',
    docs: `${dg}/connect-eventbridge.html`,
    actions: { putEvents: RR_TOKEN },
  },
  { service: 'glue', name: 'AWS Glue', docs: `${dg}/connect-glue.html`, actions: { startJobRun: RR_SYNC } },
  {
    service: 'databrew',
    name: 'AWS Glue DataBrew',
    docs: `${dg}/connect-databrew.html`,
    actions: { startJobRun: RR_SYNC },
  },
  { service: 'lambda', name: 'AWS Lambda', docs: `${dg}/connect-lambda.html`, actions: { invoke: RR_TOKEN } },
  {
    service: 'mediaconvert',
    name: 'AWS Elemental MediaConvert',
    docs: `${dg}/connect-mediaconvert.html`,
    actions: { createJob: RR_SYNC },
  },
  {
    service: 'sagemaker',
    name: 'Amazon SageMaker',
    docs: `${dg}/connect-sagemaker.html`,
    actions: {
      ...all(
        [
          'createHyperParameterTuningJob',
          'createLabelingJob',
          'createProcessingJob',
          'createTrainingJob',
          'createTransformJob',
        ],
        RR_SYNC,
      ),
      ...all(['createEndpoint', 'createEndpointConfig', 'createModel', 'updateEndpoint'], RR),
    },
  },
  { service: 'sns', name: 'Amazon SNS', docs: `${dg}/connect-sns.html`, actions: { publish: RR_TOKEN } },
  { service: 'sqs', name: 'Amazon SQS', docs: `${dg}/connect-sqs.html`, actions: { sendMessage: RR_TOKEN } },
  {
    service: 'states',
    name: 'AWS Step Functions',
    docs: `${dg}/connect-stepfunctions.html`,
    actions: { startExecution: ['REQUEST_RESPONSE', 'RUN_JOB', 'RUN_JOB_V2', 'WAIT_FOR_TASK_TOKEN'] },
  },
  {
    // Not a row of the optimized table: the HTTP Task has its own page and only the Request Response form.
    service: 'http',
    name: 'HTTP Task',
    docs: `${dg}/call-https-apis.html`,
    actions: { invoke: RR },
  },
];

/** AWS SDK integrations: over two hundred services; Request Response and Wait for Callback, never `.sync`. */
export const sdkIntegrationPatterns: readonly IntegrationPattern[] = RR_TOKEN;
export const integrationTableUrl = `${dg}/integrate-optimized.html`;
