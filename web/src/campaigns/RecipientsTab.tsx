// The campaign's frozen recipients, a page at a time: who, in which group, what became of their
// message in words and when it was sent or is due (on the workspace's clock). Addresses come masked or in full as the server gives them; the CSV of all of
// them for roles that may export customers.
import { Anchor, Button, Card, Group, Select, Table, Text } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { formatPhone } from '../messaging/format.ts';
import { campaignPath, useRecipients, type Campaign, type Recipient } from './api.ts';
import { groupLabel, HOLDOUT, recipientStatusText, WINNER } from './format.ts';

export function RecipientsTab({ campaign }: { campaign: Campaign }) {
  const { t, i18n } = useTranslation();
  const can = useCan();
  const [variant, setVariant] = useState<string | null>(null);
  const recipients = useRecipients(campaign.id, variant);
  const rows = recipients.data?.pages.flatMap((p) => p.items) ?? [];
  const groups = [...campaign.variants.map((v) => v.key), ...(campaign.winner ? [WINNER] : []), ...(campaign.holdoutShare > 0 ? [HOLDOUT] : [])];
  const label = (key: string) => groupLabel(t, key, campaign.winnerKey);
  const csv = campaignPath(campaign.id, `/recipients?format=csv${variant ? `&variant=${encodeURIComponent(variant)}` : ''}`);

  return (
    <Card withBorder padding="md">
      <Group justify="space-between" mb="sm">
        <Select
          w={220}
          aria-label={t('campaigns.recipients.group')}
          placeholder={t('campaigns.recipients.allGroups')}
          data={groups.map((key) => ({ value: key, label: label(key) }))}
          value={variant}
          onChange={setVariant}
          clearable
          data-testid="recipients-group"
        />
        {can('customers.export') && (
          <Button component="a" href={csv} download variant="default" size="xs" leftSection={<IconDownload size={14} />} data-testid="recipients-csv">
            {t('campaigns.recipients.downloadCsv')}
          </Button>
        )}
      </Group>
      {recipients.isPending ? (
        <PageLoader />
      ) : recipients.isError ? (
        <QueryError error={recipients.error} onRetry={() => void recipients.refetch()} />
      ) : rows.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('campaigns.recipients.none')}
        </Text>
      ) : (
        <>
          <Table.ScrollContainer minWidth={860}>
            <Table verticalSpacing="xs" data-testid="recipients-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('customerFields.name')}</Table.Th>
                  <Table.Th>{t('customerFields.email')}</Table.Th>
                  <Table.Th>{t('customerFields.phone')}</Table.Th>
                  <Table.Th>{t('campaigns.recipients.group')}</Table.Th>
                  <Table.Th>{t('campaigns.recipients.status')}</Table.Th>
                  <Table.Th>{t('campaigns.recipients.due')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => {
                  const words = recipientStatusText(t, r, i18n.language);
                  return (
                    <Table.Tr key={r.customerId} data-testid="recipient-row" data-variant={r.variant} data-status={r.status}>
                      <Table.Td>
                        <Anchor component={Link} to={`/customers/${r.customerId}`}>
                          {r.name?.trim() || r.email || formatPhone(r.phone, i18n.language) || r.externalId || t('campaigns.recipients.unnamed')}
                        </Anchor>
                      </Table.Td>
                      <Table.Td>{r.email ?? ''}</Table.Td>
                      <Table.Td>{formatPhone(r.phone, i18n.language)}</Table.Td>
                      <Table.Td>{label(r.variant)}</Table.Td>
                      <Table.Td>
                        <Text size="sm">{words.status}</Text>
                        {words.reason && (
                          <Text size="xs" c="dimmed">
                            {words.reason}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td data-testid="recipient-due" data-send-at={r.sendAt ?? ''} data-sent-at={r.sentAt ?? ''}>
                        <When recipient={r} />
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {recipients.hasNextPage && (
            <Group justify="center" mt="sm">
              <Button variant="subtle" onClick={() => void recipients.fetchNextPage()} loading={recipients.isFetchingNextPage} data-testid="recipients-more">
                {t('common.loadMore')}
              </Button>
            </Group>
          )}
        </>
      )}
    </Card>
  );
}

const WAITING = ['queued', 'deferred', 'sending'];

/** Sent at, due at (or was, for a message held back), in words; a paused campaign's waiting messages have no time yet. */
function When({ recipient: r }: { recipient: Recipient }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const time = (iso: string) => formatDateTime(iso, i18n.language, timeZone);
  const text = r.sentAt
    ? t('campaigns.recipients.sentAt', { time: time(r.sentAt) })
    : r.sendAt
      ? t(WAITING.includes(r.status) ? 'campaigns.recipients.dueAt' : 'campaigns.recipients.wasDue', { time: time(r.sendAt) })
      : r.reason === 'campaign_paused'
        ? t('campaigns.recipients.dueWhenResumed')
        : null;
  return text ? (
    <Text size="sm">{text}</Text>
  ) : (
    <Text span size="sm" c="dimmed">
      —
    </Text>
  );
}
