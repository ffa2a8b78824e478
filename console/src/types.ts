/** The shapes of the API answers the console reads (docs/api.md has the full contracts). */
export interface ExecutionSummary {
  executionArn: string;
  executionId: string;
  workflow: string;
  status: string;
  startDate: string;
  stopDate?: string;
  failedState?: string;
  error?: string;
  cause?: string;
  input: unknown;
}

export interface StateRun {
  name: string;
  status: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' | 'WAITING' | 'NOT_REACHED';
  entries: number;
  failedAttempts: number;
  enteredAt?: string;
  exitedAt?: string;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionDetail {
  execution: ExecutionSummary;
  definition: { StartAt?: string; States?: Record<string, Record<string, unknown>> };
  states: StateRun[];
  events: { id: number; type: string; timestamp: string; details?: Record<string, unknown> }[];
  page: number;
  pages: number;
  totalEvents: number;
}

export interface Fault {
  workflow: string;
  state: string;
  error: string;
  remaining: number;
  phase: string;
}

export interface Principal {
  principalId: string;
  role: string;
  scope: string;
  name: string;
  status: 'ACTIVE' | 'REVOKED';
  createdAt: string;
  revokedAt?: string;
  keys: { keyId: string; createdAt: string; expiresAt?: string }[];
}

export interface IssuedKey {
  principalId: string;
  apiKey: string;
  keyId: string;
  previousKeyExpiresAt?: string;
}

export interface DeadLetters {
  items: { queue: string; messageId: string; body: string; receiveCount: number; sentAt?: string }[];
  queues: { queue: string; approximateMessages: number; listed: number; complete: boolean }[];
}

export interface ReturnKpis {
  from: string;
  to: string;
  returns: number;
  unitsDelivered: number;
  unitsReturned: number;
  returnRate: number | null;
  byReason: Record<string, number>;
}
