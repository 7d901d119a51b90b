// A journey's status as a coloured badge.
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { JourneyStatus, RunStatus } from './api.ts';

export const STATUS_COLORS: Record<JourneyStatus, string> = { draft: 'gray', active: 'teal', paused: 'yellow', archived: 'red' };
export const RUN_STATUS_COLORS: Record<RunStatus, string> = { active: 'blue', completed: 'teal', converted: 'green', exited: 'gray', failed: 'red' };

export function JourneyStatusBadge({ status, testId }: { status: JourneyStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} data-testid={testId} data-status={status}>
      {t(`journeys.statuses.${status}`)}
    </Badge>
  );
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { t } = useTranslation();
  return (
    <Badge variant="dot" color={RUN_STATUS_COLORS[status]} data-testid="run-status" data-status={status}>
      {t(`journeys.runStatuses.${status}`)}
    </Badge>
  );
}
