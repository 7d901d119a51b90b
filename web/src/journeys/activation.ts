// What the Activate button does for a journey in its state. Pure.
import type { JourneyView } from './api.ts';

/** What activating does now: the first version, a new version of saved changes, or going on as before. */
export function activationKind(j: Pick<JourneyView, 'status' | 'version' | 'changedSinceVersion'>): 'first' | 'newVersion' | 'resume' | null {
  if (j.status === 'archived') return null;
  if (j.version === 0) return 'first';
  if (j.changedSinceVersion) return 'newVersion';
  return j.status === 'paused' ? 'resume' : null;
}
