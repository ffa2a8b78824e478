import type { StepFunctionsEngine } from '../engine';
import { type OperationHandler, requiredString, SfnError, Timestamp } from '../protocol';
import { parseValidateRequest, ValidationRequestError, validateDefinition } from '../validation';
import { page } from './paging';
import { describeMachine } from './views';

/** The operations on state machines: validate a definition, list and describe the loaded ones. */
export const machineOperations = (engine: StepFunctionsEngine): Record<string, OperationHandler> => ({
  ValidateStateMachineDefinition: async (input) => {
    try {
      const { definition, options } = parseValidateRequest(input);
      return { ...(await validateDefinition(definition, options)) };
    } catch (error) {
      if (error instanceof ValidationRequestError) throw new SfnError('ValidationException', error.message);
      throw error;
    }
  },
  ListStateMachines: (input) => {
    const { items, nextToken } = page([...engine.machines.values()], input);
    return {
      stateMachines: items.map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: new Timestamp(m.creationDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  },
  DescribeStateMachine: (input) =>
    describeMachine(engine.machineOf(requiredString(input, 'stateMachineArn'))),
  DescribeStateMachineForExecution: (input) => {
    const record = engine.executionOf(requiredString(input, 'executionArn'));
    const {
      status: _status,
      type: _type,
      creationDate,
      ...rest
    } = describeMachine(engine.machineOf(record.stateMachineArn));
    return { ...rest, updateDate: creationDate };
  },
});
