import { ApiProblem, get } from './api';
import type { ExecutionSummary, Fault } from './types';

export const workflows = ['fulfilment', 'procurement', 'dispatch', 'returns'] as const;

/** Every page of the listing for one status (the API pages across workflows; a console wants them all). */
export async function listExecutions(status: string): Promise<ExecutionSummary[]> {
  const items: ExecutionSummary[] = [];
  let token: string | undefined;
  do {
    const query = new URLSearchParams({ status, limit: '100', ...(token ? { nextToken: token } : {}) });
    const page = await get<{ items: ExecutionSummary[]; nextToken?: string }>(`/ops/executions?${query}`);
    items.push(...page.items);
    token = page.nextToken;
  } while (token && items.length < 1000);
  return items.sort((a, b) => b.startDate.localeCompare(a.startDate));
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
