/** The one-way dependency rule: contracts ← core ← adapters ← app ← handlers, shared beside them as glue; infra and local never reach into each other's runtime. */
module.exports = {
  forbidden: [
    {
      name: 'contracts-is-a-leaf',
      severity: 'error',
      from: { path: '^functions/contracts' },
      to: { path: '^(functions/(core|adapters|shared|handlers)|infra|local)' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      from: { path: '^functions/core' },
      to: {
        path: '^(functions/(adapters|shared|handlers)|infra|local)|^node_modules/(@aws-sdk|@middy|@aws-lambda-powertools)|^(fs|node:fs|http|node:http|net|node:net|child_process|node:child_process)$',
      },
    },
    {
      name: 'core-has-no-io-deps',
      severity: 'error',
      from: { path: '^functions/core' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'app-is-above-adapters',
      comment:
        'Use cases (functions/app) orchestrate adapters and core for one business action; only handlers call them.',
      severity: 'error',
      from: { path: '^functions/(contracts|core|adapters|shared)' },
      to: { path: '^functions/app' },
    },
    {
      name: 'shared-is-glue-without-adapters',
      comment:
        'shared (middy presets, env, problems, observability) sits beside the layers: it imports no adapter, use case or handler, so adapters may use it without a cycle.',
      severity: 'error',
      from: { path: '^functions/shared' },
      to: { path: '^functions/(adapters|app|handlers)' },
    },
    {
      name: 'adapters-and-shared-not-handlers',
      severity: 'error',
      from: { path: '^functions/(adapters|shared)' },
      to: { path: '^(functions/handlers|infra|local)' },
    },
    {
      name: 'functions-never-import-infra-or-cdk',
      severity: 'error',
      from: { path: '^functions' },
      to: { path: '^(infra|local)|^node_modules/(aws-cdk-lib|constructs|cdk-nag)' },
    },
    {
      name: 'infra-never-imports-runtime-code',
      severity: 'error',
      from: { path: '^infra' },
      to: { path: '^(functions/(core|adapters|shared|handlers)|local)' },
    },
    {
      name: 'local-does-not-import-infra',
      severity: 'error',
      from: { path: '^local' },
      to: { path: '^infra' },
    },
    {
      // The emulators (Step Functions, SQS, Lambda, API Gateway, DynamoDB Local) are generic: they know nothing
      // of this app, so local/emulators could be lifted into its own package. The app's wiring lives in local/.
      name: 'emulators-are-generic',
      severity: 'error',
      from: { path: '^local/emulators' },
      to: { path: '^(functions|infra|cli|bench|workflows)|^local/(?!emulators/)' },
    },
    {
      // The sandbox carrier service stands in for a courier platform: the product reaches it over HTTP only,
      // and it knows nothing of the product but plain geometry.
      name: 'sandbox-is-not-the-product',
      severity: 'error',
      from: { path: '^local/sandbox' },
      to: { path: '^(functions/(?!core/geo\\.ts$)|infra|cli|bench|workflows)|^local/(?!sandbox/)' },
    },
    {
      // The console runs in the browser and reaches the system over the public HTTP API only: it holds no
      // privileged path of its own. Its build script (console/build.ts) is the one Node part.
      name: 'console-only-speaks-http',
      severity: 'error',
      from: { path: '^console/src' },
      to: { path: '^(functions|infra|local|cli|bench|workflows)|^node_modules/(@aws-sdk|aws-cdk-lib)' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
