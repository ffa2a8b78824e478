import {
  type DeliveryOptions,
  deliveryEnvironmentVariable,
  describeDelivery,
  parseDeliveryEnvironment,
  type ResolvedDelivery,
  resolveDelivery,
} from '../../local/emulators/sqs/delivery';

/** The seed tests use unless LOCAL_SQS_DELIVERY says otherwise: every run takes the same draws. */
const defaultSeed = 20_260_108;

/** LOCAL_SQS_DELIVERY, if set; a random seed (`at-least-once` alone) is printed so a failure can be replayed. */
function fromEnvironment(): ResolvedDelivery | undefined {
  const value = process.env[deliveryEnvironmentVariable];
  const parsed = parseDeliveryEnvironment(value);
  if (parsed?.mode === 'at-least-once' && !/seed=/.test(value ?? '')) {
    console.info(`local SQS: ${describeDelivery(resolveDelivery(parsed))}`);
  }
  return parsed === undefined ? undefined : resolveDelivery(parsed);
}

/**
 * The delivery of the end-to-end local clouds: LOCAL_SQS_DELIVERY when set (`exact` gives the idealised
 * queue; `at-least-once,seed=N` replays a run), else at-least-once like AWS with a fixed seed.
 */
export function e2eDelivery(): ResolvedDelivery {
  return fromEnvironment() ?? resolveDelivery({ mode: 'at-least-once', seed: defaultSeed });
}

/**
 * At-least-once delivery for a test that must hold under it, whatever LOCAL_SQS_DELIVERY says about the mode:
 * the seed is LOCAL_SQS_DELIVERY's when that selects at-least-once, else a fixed one; `overrides` set the
 * probabilities. Put `describeSeed(...)` in a test name so a failure report says how to replay it.
 */
export function atLeastOnce(overrides: Omit<DeliveryOptions, 'mode' | 'seed'> = {}): ResolvedDelivery {
  const environment = fromEnvironment();
  const seed = environment?.mode === 'at-least-once' ? environment.seed : defaultSeed;
  return resolveDelivery({ mode: 'at-least-once', seed, ...overrides });
}

export const describeSeed = (delivery: ResolvedDelivery): string =>
  `${deliveryEnvironmentVariable}=at-least-once,seed=${delivery.seed}`;
