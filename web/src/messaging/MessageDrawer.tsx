// One message in full: who it went to and how, what it said, and every status it went through
// with the reason; ids and raw data only inside the analysts' details.
import { Accordion, Anchor, Code, Drawer, Group, ScrollArea, Stack, Table, Text, Timeline, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useMessage, type MessageDetail } from './api.ts';
import { formatAddress } from './format.ts';
import { reasonText } from './reasons.ts';
import { StatusBadge, StatusWithReason } from './StatusBadge.tsx';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Th w={150} fw={500}>
        <Text size="sm" c="dimmed">
          {label}
        </Text>
      </Table.Th>
      <Table.Td style={{ wordBreak: 'break-word' }}>{children}</Table.Td>
    </Table.Tr>
  );
}

/** What the message said, as text: the subject and the text part, or the SMS/Kakao/push text. */
function contentText(m: MessageDetail): { subject: string | null; text: string | null } {
  const c = (m.content ?? {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return { subject: str(c.subject) ?? str(c.title), text: str(c.text) ?? str(c.body) };
}

function History({ message }: { message: MessageDetail }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const history = [...message.history].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Timeline active={history.length - 1} bulletSize={18} lineWidth={2} data-testid="message-history">
      {history.map((h, i) => {
        const until = h.status === 'deferred' ? (typeof h.detail?.until === 'string' ? h.detail.until : message.sendAt) : null;
        const why = reasonText(t, { status: h.status, reason: h.reason, sendAt: until, language: i18n.language, timeZone });
        return (
          <Timeline.Item key={`${h.at}-${i}`} bullet={<IconCircleCheck size={12} />} title={<StatusBadge status={h.status} />} data-testid="message-history-item" data-status={h.status}>
            <Text size="xs" c="dimmed">
              {formatDateTime(h.at, i18n.language, timeZone)}
            </Text>
            {why && <Text size="sm">{why}</Text>}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}

export function MessageDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const message = useMessage(id);
  const m = message.data;
  const time = (iso: string | null | undefined) => (iso ? formatDateTime(iso, i18n.language, timeZone) : '—');

  return (
    <Drawer opened={Boolean(id)} onClose={onClose} position="right" size="lg" title={t('messaging.detail.title')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      {message.isPending ? (
        <PageLoader />
      ) : message.isError ? (
        <QueryError error={message.error} onRetry={() => void message.refetch()} />
      ) : m ? (
        <Stack gap="md" data-testid="message-detail">
          <Group gap="sm">
            <StatusWithReason status={m.status} reason={m.reason} sendAt={m.sendAt} testId="message-detail-status" />
          </Group>
          <Table withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              <Row label={t('messaging.detail.customer')}>
                {m.customerId ? (
                  <Anchor component={Link} to={`/customers/${m.customerId}`}>
                    {m.customerName || t('messaging.log.unnamed')}
                  </Anchor>
                ) : (
                  '—'
                )}
              </Row>
              <Row label={t('messaging.detail.channel')}>{`${t(`messaging.kinds.${m.kind}`)} · ${t(`messaging.purposes.${m.purpose}`)}`}</Row>
              <Row label={t('messaging.detail.to')}>{formatAddress(m.kind, m.to, i18n.language) || '—'}</Row>
              <Row label={t('messaging.detail.template')}>
                {m.templateId ? (
                  <Anchor component={Link} to={`/messages/templates/${m.templateId}`}>
                    {t('messaging.detail.templateVersion', { name: m.templateName ?? t('messaging.log.template'), version: m.templateVersion ?? 1 })}
                  </Anchor>
                ) : (
                  t('messaging.log.ownText')
                )}
              </Row>
              <Row label={t('messaging.detail.created')}>{time(m.createdAt)}</Row>
              <Row label={t('messaging.detail.sendAt')}>{time(m.sendAt)}</Row>
              <Row label={t('messaging.detail.sent')}>{time(m.sentAt)}</Row>
              {m.deliveredAt && <Row label={t('messaging.detail.delivered')}>{time(m.deliveredAt)}</Row>}
              {m.openedAt && <Row label={t('messaging.detail.opened')}>{time(m.openedAt)}</Row>}
              {m.clickedAt && <Row label={t('messaging.detail.clicked')}>{time(m.clickedAt)}</Row>}
            </Table.Tbody>
          </Table>
          {(() => {
            const c = contentText(m);
            if (!c.subject && !c.text) return null;
            return (
              <Stack gap={4}>
                <Title order={5}>{t('messaging.detail.content')}</Title>
                {c.subject && <Text fw={600}>{c.subject}</Text>}
                {c.text && (
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lineClamp={12}>
                    {c.text}
                  </Text>
                )}
              </Stack>
            );
          })()}
          <Stack gap={4}>
            <Title order={5}>{t('messaging.detail.history')}</Title>
            <History message={m} />
          </Stack>
          <Accordion variant="contained">
            <Accordion.Item value="details">
              <Accordion.Control data-testid="message-analyst-details">{t('messaging.detail.analystDetails')}</Accordion.Control>
              <Accordion.Panel>
                <ScrollArea.Autosize mah={360}>
                  <Code block>{JSON.stringify({ id: m.id, customerId: m.customerId, channelId: m.channelId, templateId: m.templateId, idempotencyKey: m.idempotencyKey, origin: m.origin, lane: m.lane, attempts: m.attempts, providerMessageId: m.providerMessageId, content: m.content, history: m.history }, null, 2)}</Code>
                </ScrollArea.Autosize>
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
        </Stack>
      ) : null}
    </Drawer>
  );
}
