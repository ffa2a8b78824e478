import type { StepFunctionsEngine } from '../engine';
import { type OperationHandler, optionalString, requiredString, SfnError, Timestamp } from '../protocol';
import { page } from './paging';
import { executionSummary, historyEventView } from './views';

/** Length constraints of the Step Functions API model (botocore stepfunctions/2016-11-23). */
export const maxLength = { taskToken: 2048, error: 256, cause: 32_768 } as const;

const statusFilters = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

/** The operations on executions: start, describe, list, history, stop and redrive. */
export const executionOperations = (engine: StepFunctionsEngine): Record<string, OperationHandler> => ({
  StartExecution: (input) => {
    const record = engine.startExecution(
      requiredString(input, 'stateMachineArn'),
      optionalString(input, 'input') ?? '{}',
      optionalString(input, 'name'),
    );
    return { executionArn: record.executionArn, startDate: new Timestamp(record.startDate) };
  },
  DescribeExecution: (input) => {
    const record = engine.executionOf(requiredString(input, 'executionArn'));
    const reason = engine.notRedrivable(record);
    return {
      ...executionSummary(record),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveStatus: reason ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      ...(reason ? { redriveStatusReason: reason } : {}),
    };
  },
  ListExecutions: (input) => {
    const machine = engine.machineOf(requiredString(input, 'stateMachineArn'));
    const statusFilter = optionalString(input, 'statusFilter');
    const redriveFilter = optionalString(input, 'redriveFilter');
    if (redriveFilter && !['REDRIVEN', 'NOT_REDRIVEN'].includes(redriveFilter))
      throw new SfnError('ValidationException', `Invalid redriveFilter '${redriveFilter}'`);
    if (statusFilter && !statusFilters.includes(statusFilter))
      throw new SfnError('ValidationException', `Invalid statusFilter '${statusFilter}'`);
    const records = engine.store
      .list(machine.arn)
      .filter((r) => !statusFilter || r.status === statusFilter)
      .filter((r) => !redriveFilter || r.redriveCount > 0 === (redriveFilter === 'REDRIVEN'));
    const { items, nextToken } = page(records, input);
    return { executions: items.map(executionSummary), ...(nextToken ? { nextToken } : {}) };
  },
  GetExecutionHistory: (input) => {
    const record = engine.executionOf(requiredString(input, 'executionArn'));
    const events = input.reverseOrder === true ? [...record.events].reverse() : record.events;
    const includeData = input.includeExecutionData !== false;
    const { items, nextToken } = page(events, input);
    return {
      events: items.map((e) => historyEventView(e, includeData)),
      ...(nextToken ? { nextToken } : {}),
    };
  },
  StopExecution: (input) => {
    const error = optionalString(input, 'error', maxLength.error);
    const cause = optionalString(input, 'cause', maxLength.cause);
    const record = engine.executionOf(requiredString(input, 'executionArn'));
    if (record.status === 'RUNNING') engine.runner.stop(record.executionArn, error, cause);
    // AWS answers a stop of an already-closed execution with its stop date, not an error.
    return { stopDate: new Timestamp(record.stopDate ?? Date.now()) };
  },
  RedriveExecution: (input) => {
    const record = engine.executionOf(requiredString(input, 'executionArn'));
    engine.redrive(record);
    return { redriveDate: new Timestamp(record.redriveDate ?? Date.now()) };
  },
});
