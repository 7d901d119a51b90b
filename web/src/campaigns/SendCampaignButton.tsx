// "Send a campaign" to a segment: opens the wizard with the segment chosen. Nothing for roles that may not send.
import { Button } from '@mantine/core';
import { IconSpeakerphone } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useCan } from '../auth/session.ts';

export function SendCampaignButton({ segmentId }: { segmentId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  if (!can('messaging.write')) return null;
  return (
    <Button component={Link} to={`/campaigns/new?segment=${encodeURIComponent(segmentId)}`} leftSection={<IconSpeakerphone size={16} />} data-testid="segment-send-campaign">
      {t('campaigns.sendToSegment')}
    </Button>
  );
}
