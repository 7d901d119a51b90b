// "Send a campaign" to the customers a list shows (at risk, dormant, abandoned carts, a basket
// rule): the list becomes a live segment (found or made) and the wizard opens with it as the
// audience. Nothing for roles that may not send, as SendCampaignButton.
import { ActionIcon, Button, Tooltip } from '@mantine/core';
import { IconSpeakerphone } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../auth/session.ts';
import { useListCampaign, type ListRef } from './list-campaign.ts';

type Props = {
  list: ListRef;
  /** The segment's name if one is made, in the user's language. */
  name: string;
  /** Shown on hover (and the icon's label): whom it goes to. */
  hint?: string;
  /** A small icon, for a table row. */
  compact?: boolean;
  testId?: string;
};

export function ListCampaignButton({ list, name, hint, compact, testId = 'list-send-campaign' }: Props) {
  const { t } = useTranslation();
  const can = useCan();
  const send = useListCampaign();
  if (!can('messaging.write')) return null;
  const go = () => send.mutate({ list, name });
  if (compact) {
    const label = hint ?? t('campaigns.sendToSegment');
    return (
      <Tooltip label={label} withArrow>
        <ActionIcon variant="subtle" aria-label={label} loading={send.isPending} onClick={go} data-testid={testId}>
          <IconSpeakerphone size={16} />
        </ActionIcon>
      </Tooltip>
    );
  }
  const button = (
    <Button leftSection={<IconSpeakerphone size={16} />} loading={send.isPending} onClick={go} data-testid={testId}>
      {t('campaigns.sendToSegment')}
    </Button>
  );
  return hint ? (
    <Tooltip label={hint} withArrow multiline w={280}>
      {button}
    </Tooltip>
  ) : (
    button
  );
}
