import type { ExecutionRecord, HistoryEvent } from '../executions';
import { Timestamp } from '../protocol';
import type { CompiledMachine } from '../runner';

/** DescribeStateMachine's answer. */
export const describeMachine = (machine: CompiledMachine) => ({
  stateMachineArn: machine.arn,
  name: machine.name,
  status: 'ACTIVE',
  definition: machine.definition,
  roleArn: machine.roleArn,
  type: 'STANDARD',
  creationDate: new Timestamp(machine.creationDate),
  loggingConfiguration: { level: 'OFF', includeExecutionData: false },
  tracingConfiguration: { enabled: false },
});

/** An execution as ListExecutions lists it. */
export const executionSummary = (record: ExecutionRecord) => ({
  executionArn: record.executionArn,
  stateMachineArn: record.stateMachineArn,
  name: record.name,
  status: record.status,
  startDate: new Timestamp(record.startDate),
  ...(record.stopDate !== undefined ? { stopDate: new Timestamp(record.stopDate) } : {}),
  redriveCount: record.redriveCount,
  ...(record.redriveDate !== undefined ? { redriveDate: new Timestamp(record.redriveDate) } : {}),
});

/** A history event; without execution data its inputs, outputs and parameters are left out, as AWS does. */
export function historyEventView(event: HistoryEvent, includeData: boolean) {
  const out: Record<string, unknown> = {
    timestamp: new Timestamp(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (event.details) {
    const value = includeData
      ? event.details.value
      : Object.fromEntries(
          Object.entries(event.details.value).filter(
            ([key]) => !['input', 'output', 'parameters'].includes(key),
          ),
        );
    out[event.details.member] = value;
  }
  return out;
}
