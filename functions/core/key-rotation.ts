/**
 * Which of a principal's keys survive a rotation. The new key is always kept; keys that never expired get
 * the overlap's end as their expiry (or go at once with no overlap); keys already past their expiry go.
 * Keys still inside an earlier overlap keep their expiry: rotating twice never extends an old key's life.
 */
export interface KeyOnRecord {
  readonly keyHash: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
}

export interface RotationPlan {
  /** The principal's keys after the rotation, newest first. */
  readonly keys: KeyOnRecord[];
  /** Existing keys that now expire (their key items get the expiry). */
  readonly expiring: KeyOnRecord[];
  /** Existing keys to delete now. */
  readonly removed: KeyOnRecord[];
}

export function planRotation(
  current: readonly KeyOnRecord[],
  fresh: KeyOnRecord,
  now: Date,
  overlapMinutes: number,
): RotationPlan {
  const overlapEnds = new Date(now.getTime() + overlapMinutes * 60_000).toISOString();
  const expiring: KeyOnRecord[] = [];
  const removed: KeyOnRecord[] = [];
  const kept: KeyOnRecord[] = [];
  for (const key of current) {
    if (key.expiresAt !== undefined) {
      if (Date.parse(key.expiresAt) > now.getTime()) kept.push(key);
      else removed.push(key);
    } else if (overlapMinutes === 0) {
      removed.push(key);
    } else {
      const expired = { ...key, expiresAt: overlapEnds };
      expiring.push(expired);
      kept.push(expired);
    }
  }
  return { keys: [fresh, ...kept], expiring, removed };
}
