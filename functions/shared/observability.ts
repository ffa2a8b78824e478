import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per function; Powertools reads its service name and level from the standard variables. */
export const logger = new Logger();
