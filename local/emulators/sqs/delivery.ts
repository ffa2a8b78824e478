import { randomInt } from 'node:crypto';

/**
 * How the local SQS service delivers from its (standard) queues.
 *
 * `exact` is an idealised queue: one copy of every message, handed out in send order, and a zero-wait receive
 * sees every visible message. Code that passes only in this mode may fail on AWS.
 *
 * `at-least-once` behaves like an AWS standard queue, whose copies of a message live on several servers
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues-at-least-once-delivery.html):
 *  - duplicates: a server that missed a receive or a delete still holds a copy and delivers it again, with
 *    the same MessageId and a receipt handle of its own, while the first copy is in flight or after it was
 *    deleted ("you might get that message copy again");
 *  - reordering: "a standard queue makes a best effort to preserve the order of messages, but more than one
 *    copy of a message might be delivered out of order";
 *  - empty short polls: a receive with WaitTimeSeconds 0 "queries only a subset of the servers (based on a
 *    weighted random distribution)" and so can return no message although some are available; a long poll
 *    queries all of them and returns any available message, so long polls are never made empty here
 *    (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-short-and-long-polling.html).
 *
 * Every decision is drawn from a pseudo-random stream per queue, seeded from `seed` and the queue name: with the
 * same seed, the same sequence of calls on a queue gets the same deliveries (traffic on other queues does not
 * shift it), so a failure can be replayed with LOCAL_SQS_DELIVERY=at-least-once,seed=<seed>.
 */
export type DeliveryMode = 'exact' | 'at-least-once';

export interface DeliveryOptions {
  readonly mode: DeliveryMode;
  /** A 32-bit unsigned integer; random when absent (the resolved settings report it). */
  readonly seed?: number;
  /** Chance (0..1) that receiving a message leaves a stale copy behind, delivered again until deleted. */
  readonly duplicate?: number;
  /** Chance (0..1) that a receive takes the visible messages in a shuffled order instead of send order. */
  readonly reorder?: number;
  /** Chance (0..1) that a short poll (WaitTimeSeconds 0) returns nothing although messages are visible. */
  readonly emptyReceive?: number;
}

export type ResolvedDelivery = Required<DeliveryOptions>;

/** At-least-once defaults: rarer than "never" by far, so every run of a suite meets each effect. */
export const atLeastOnceDefaults = { duplicate: 0.1, reorder: 0.3, emptyReceive: 0.3 } as const;

/** The environment variable that selects the mode for `startLocalCloud` (so `npm start` and whole test files). */
export const deliveryEnvironmentVariable = 'LOCAL_SQS_DELIVERY';

/** A stale copy turns up within this long after the receive that left it behind. */
const staleCopyDelayMs = 1_000;

const probabilityNames = ['duplicate', 'reorder', 'emptyReceive'] as const;

export function resolveDelivery(options: DeliveryOptions = { mode: 'exact' }): ResolvedDelivery {
  if (options.mode !== 'exact' && options.mode !== 'at-least-once') {
    throw new Error(`SQS delivery mode must be 'exact' or 'at-least-once', got '${String(options.mode)}'`);
  }
  const seed = options.seed ?? randomInt(0, 2 ** 32);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`SQS delivery seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
  }
  const exact = options.mode === 'exact';
  const resolved = {
    mode: options.mode,
    seed,
    duplicate: exact ? 0 : (options.duplicate ?? atLeastOnceDefaults.duplicate),
    reorder: exact ? 0 : (options.reorder ?? atLeastOnceDefaults.reorder),
    emptyReceive: exact ? 0 : (options.emptyReceive ?? atLeastOnceDefaults.emptyReceive),
  };
  for (const name of probabilityNames) {
    const value = resolved[name];
    if (!(value >= 0 && value <= 1))
      throw new Error(`SQS delivery ${name} must be from 0 to 1, got ${value}`);
  }
  return resolved;
}

/**
 * Parses LOCAL_SQS_DELIVERY: a mode, optionally followed by settings, e.g. `at-least-once`,
 * `at-least-once,seed=42` or `at-least-once,seed=42,duplicate=0.5,reorder=0,emptyReceive=1`.
 * Undefined or empty means "not set"; anything malformed throws (a typo must not silently test nothing).
 */
export function parseDeliveryEnvironment(value: string | undefined): DeliveryOptions | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const [mode, ...settings] = value.split(',').map((part) => part.trim());
  if (mode !== 'exact' && mode !== 'at-least-once') {
    throw new Error(`${deliveryEnvironmentVariable}: unknown mode '${mode}' (exact or at-least-once)`);
  }
  const options: { -readonly [K in keyof DeliveryOptions]: DeliveryOptions[K] } = { mode };
  for (const setting of settings) {
    const [name, text, ...rest] = setting.split('=');
    const number = Number(text);
    if (rest.length > 0 || text === undefined || text.trim() === '' || !Number.isFinite(number)) {
      throw new Error(`${deliveryEnvironmentVariable}: '${setting}' is not name=number`);
    }
    if (name === 'seed') options.seed = number;
    else if (name === 'duplicate' || name === 'reorder' || name === 'emptyReceive') options[name] = number;
    else throw new Error(`${deliveryEnvironmentVariable}: unknown setting '${name}'`);
  }
  return resolveDelivery(options);
}

export const describeDelivery = (delivery: ResolvedDelivery): string =>
  delivery.mode === 'exact'
    ? 'exact delivery'
    : `at-least-once delivery, seed ${delivery.seed}; replay: ${deliveryEnvironmentVariable}=at-least-once,seed=${delivery.seed}${(
        ['duplicate', 'reorder', 'emptyReceive'] as const
      )
        .filter((name) => delivery[name] !== atLeastOnceDefaults[name])
        .map((name) => `,${name}=${delivery[name]}`)
        .join('')}`;

/** mulberry32: small, fast, and good enough to pick which messages to duplicate. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** FNV-1a, to give each queue its own stream. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The decisions the engine asks for; in exact mode every answer is "behave ideally". */
export class DeliveryModel {
  private readonly streams = new Map<string, () => number>();

  constructor(readonly settings: ResolvedDelivery) {}

  private draw(queue: string): number {
    let stream = this.streams.get(queue);
    if (!stream) {
      stream = mulberry32(this.settings.seed ^ hash(queue));
      this.streams.set(queue, stream);
    }
    return stream();
  }

  private chance(queue: string, probability: number): boolean {
    return probability > 0 && this.draw(queue) < probability;
  }

  /** Whether this short poll samples only servers that hold no visible message. */
  emptyShortPoll(queue: string): boolean {
    return this.chance(queue, this.settings.emptyReceive);
  }

  /** The order in which a receive looks at the queue's messages (send order, or shuffled). */
  order<T>(queue: string, items: T[]): T[] {
    if (!this.chance(queue, this.settings.reorder)) return items;
    const shuffled = [...items];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.draw(queue) * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as T, shuffled[i] as T];
    }
    return shuffled;
  }

  /** After delivering a message: undefined, or in how many ms a stale copy of it becomes receivable. */
  staleCopyDelay(queue: string): number | undefined {
    if (!this.chance(queue, this.settings.duplicate)) return undefined;
    return Math.floor(this.draw(queue) * staleCopyDelayMs);
  }
}
