/** How the local services call a function: by name or ARN, like Lambda's Invoke API. */
export interface LambdaInvoker {
  /** Resolves with the handler's return value; rejects with FunctionError when the handler throws. */
  invoke(functionNameOrArn: string, payload: unknown): Promise<unknown>;
}

/** A handler's error as Lambda reports it (`errorType`, `errorMessage`); Step Functions matches `errorType` against Retry/Catch. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}

/** `arn:aws:lambda:region:account:function:NAME[:qualifier]` or a bare name → NAME. */
export function functionNameOf(functionNameOrArn: string): string {
  const parts = functionNameOrArn.split(':');
  return parts.length >= 7 ? (parts[6] as string) : functionNameOrArn;
}
