import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { functionDefaults } from '../../functions/contracts/system';

/** docs/architecture.md, toolchain: Lambda runs nodejs22.x (the dev machines run Node 20; the bundle targets node22). */
export const LAMBDA_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const LAMBDA_ARCHITECTURE = lambda.Architecture.ARM_64;
export const DEFAULT_MEMORY_MB = functionDefaults.memoryMb;
export const DEFAULT_TIMEOUT = Duration.seconds(functionDefaults.timeoutSeconds);
export const LOG_RETENTION = RetentionDays.ONE_MONTH;
/** The bundle is `index.mjs` exporting `handler` (definition entries export `handler`; see bundle.ts). */
export const HANDLER = 'index.handler';
