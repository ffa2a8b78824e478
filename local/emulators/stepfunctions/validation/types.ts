/**
 * The shapes of AWS's ValidateStateMachineDefinition (states-2016-11-23): a result, diagnostics and a
 * truncation flag. Codes are AWS's documented ones where AWS has one for the rule; AWS itself warns that
 * codes and wording may change, so callers should rely on `result` (and tests on code + location).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinitionDiagnostic.html
 */
export type Severity = 'ERROR' | 'WARNING';
export type StateMachineType = 'STANDARD' | 'EXPRESS';

export type DiagnosticCode =
  | 'INVALID_JSON_DESCRIPTION'
  | 'MISSING_DESCRIPTION'
  | 'SCHEMA_VALIDATION_FAILED'
  | 'INVALID_RESOURCE'
  | 'MISSING_END_STATE'
  | 'DUPLICATE_STATE_NAME'
  | 'MISSING_TRANSITION_TARGET'
  // AWS's documented warning codes.
  | 'NO_DOLLAR'
  | 'PASS_RESULT_IS_STATIC'
  // Not an AWS code: a rule the local cloud adds on top of AWS (see rules/task.ts).
  | 'MISSING_TASK_TOKEN';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  /** A path into the definition, e.g. `/States/AwaitX/Resource` (AWS's format); nested states continue it. */
  location?: string;
}

export interface ValidationResult {
  result: 'OK' | 'FAIL';
  diagnostics: Diagnostic[];
  truncated: boolean;
}

export interface ValidationOptions {
  /** Default STANDARD. EXPRESS allows Request Response integrations only. */
  type?: StateMachineType;
  /** Minimum severity returned: ERROR (default) returns errors only, WARNING returns both. */
  severity?: Severity;
  /** 1–100; 0/undefined = 100 (AWS's default and maximum). */
  maxResults?: number;
}

export const error = (code: DiagnosticCode, message: string, location?: string): Diagnostic => ({
  severity: 'ERROR',
  code,
  message,
  ...(location !== undefined ? { location } : {}),
});
