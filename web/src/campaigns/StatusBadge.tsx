// A campaign's status as a coloured badge.
import { Badge } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CampaignStatus } from './api.ts';
import { STATUS_COLORS } from './format.ts';

export function CampaignStatusBadge({ status, testId }: { status: CampaignStatus; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[status]} data-testid={testId} data-status={status}>
      {t(`campaigns.statuses.${status}`)}
    </Badge>
  );
}
