// What a step's settings fields are given by the step panel: a change to the step, and the
// message of a check at one of its fields.
import type { JourneyStep } from './api.ts';

export type StepChange<S extends JourneyStep> = (patch: Partial<S>) => void;
/** The message of the issue at this field of the step, if any. */
export type FieldError = (field: string) => string | undefined;
