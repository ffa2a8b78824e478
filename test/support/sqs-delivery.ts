import {
  type DeliveryOptions,
  deliveryEnvironmentVariable,
  parseDeliveryEnvironment,
  type ResolvedDelivery,
  resolveDelivery,
} from '../../local/sqs/delivery';

/** The seed a test file uses unless LOCAL_SQS_DELIVERY says otherwise: every run takes the same draws. */
const defaultSeed = 20_260_108;

/**
 * At-least-once SQS delivery for a test file that must hold under it. The seed is LOCAL_SQS_DELIVERY's when
 * that selects at-least-once (`at-least-once` alone: a random seed per run; `at-least-once,seed=N` replays a
 * failure), else a fixed one; `overrides` set the probabilities. Put `describeSeed(...)` in a test name so a
 * failure report says how to replay it.
 */
export function atLeastOnce(overrides: Omit<DeliveryOptions, 'mode' | 'seed'> = {}): ResolvedDelivery {
  const fromEnvironment = parseDeliveryEnvironment(process.env[deliveryEnvironmentVariable]);
  const seed = fromEnvironment?.mode === 'at-least-once' ? fromEnvironment.seed : defaultSeed;
  return resolveDelivery({ mode: 'at-least-once', seed, ...overrides });
}

export const describeSeed = (delivery: ResolvedDelivery): string =>
  `${deliveryEnvironmentVariable}=at-least-once,seed=${delivery.seed}`;
