/** JSON as Step Functions passes it between states: values are never mutated once produced. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

/** One state of an ASL (JSONPath) definition; each state type reads only the fields it owns. */
export interface StateDefinition {
  Type: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
  Parameters?: Json;
  ResultSelector?: Json;
  ResultPath?: string | null;
  Retry?: Retrier[];
  Catch?: Catcher[];
  Resource?: string;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number;
  HeartbeatSecondsPath?: string;
  Result?: Json;
  Choices?: JsonObject[];
  Default?: string;
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
  Branches?: MachineDefinition[];
  ItemProcessor?: MachineDefinition;
  Iterator?: MachineDefinition;
  ItemsPath?: string;
  ItemSelector?: Json;
  MaxConcurrency?: number;
  MaxConcurrencyPath?: string;
}

export interface MachineDefinition {
  StartAt: string;
  States: Record<string, StateDefinition>;
  TimeoutSeconds?: number;
  Comment?: string;
  QueryLanguage?: string;
}

/** The context object (`$$`) as AWS documents it; `State` and `Task` change per state and attempt. */
export interface ContextObject {
  Execution: {
    Id: string;
    Input: Json;
    Name: string;
    RoleArn: string;
    StartTime: string;
    RedriveCount: number;
    RedriveTime?: string;
  };
  StateMachine: { Id: string; Name: string };
  /** `RetryCount` only in the states that retry (Task, Parallel, Map), as on AWS. */
  State?: { EnteredTime: string; Name: string; RetryCount?: number };
  Task?: { Token: string };
  Map?: { Item: { Index: number; Value: Json } };
}
