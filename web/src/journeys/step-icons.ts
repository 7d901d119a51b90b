// The icon of each step type, on the map, in the palette and in a customer's trail.
import { IconArrowsShuffle, IconBell, IconClock, IconDoorExit, IconGitBranch, IconHourglass, IconSend, IconUserEdit, type Icon } from '@tabler/icons-react';
import type { StepType } from './api.ts';

export const STEP_ICONS: Record<StepType, Icon> = {
  delay: IconClock,
  wait_event: IconHourglass,
  condition: IconGitBranch,
  split: IconArrowsShuffle,
  send: IconSend,
  update_profile: IconUserEdit,
  notify: IconBell,
  exit: IconDoorExit,
};

export const STEP_COLORS: Record<StepType, string> = {
  delay: 'gray',
  wait_event: 'yellow',
  condition: 'violet',
  split: 'grape',
  send: 'blue',
  update_profile: 'cyan',
  notify: 'orange',
  exit: 'red',
};
