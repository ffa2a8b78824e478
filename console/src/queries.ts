import { ApiProblem, get } from './api';
import type { ExecutionSummary, Fault } from './types';

export const workflows = ['fulfilment', 'procurement', 'dispatch', 'returns'] as const;

export interface ExecutionPage {
  readonly items: ExecutionSummary[];
  readonly nextToken?: string;
}

/** Pages of up to 100 executions with their failed state, error and cause (one read per execution). */
export async function executionPages(
  status: string,
  workflow: string,
  pages: number,
): Promise<ExecutionPage> {
  const items: ExecutionSummary[] = [];
  let token: string | undefined;
  for (let page = 0; page < pages; page++) {
    const query = new URLSearchParams({
      status,
      limit: '100',
      ...(workflow ? { workflow } : {}),
      ...(token ? { nextToken: token } : {}),
    });
    const answer = await get<ExecutionPage>(`/ops/executions?${query}`);
    items.push(...answer.items);
    token = answer.nextToken;
    if (!token) break;
  }
  return { items, ...(token ? { nextToken: token } : {}) };
}

/** Every execution in a status, as ListExecutions names them (the `summary` view: no read per execution). */
export async function countExecutions(status: string): Promise<ExecutionSummary[]> {
  const items: ExecutionSummary[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({
      status,
      view: 'summary',
      limit: '100',
      ...(token ? { nextToken: token } : {}),
    });
    const page = await get<ExecutionPage>(`/ops/executions?${query}`);
    items.push(...page.items);
    token = page.nextToken;
  } while (token);
  return items;
}

/** Local fault injection, when the local cloud has any armed (AWS has no such route: a 404 means none). */
export async function armedFaults(): Promise<Fault[]> {
  try {
    return (await get<{ items: Fault[] }>('/ops/faults')).items;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) return [];
    throw error;
  }
}
