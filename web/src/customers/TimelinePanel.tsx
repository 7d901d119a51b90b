// Everything that happened with the customer, newest first, 50 at a time.
import { Badge, Button, Center, Code, Group, Paper, Text, Timeline, Title } from '@mantine/core';
import { IconActivity, IconCircleCheck, IconNote, IconUser } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import type { TimelineItem } from './api.ts';
import { STATUS_COLORS } from './consent.ts';
import { useTimeline } from './profile-api.ts';
import { timelineActor, timelineDetail, timelineKindKey } from './timeline-format.ts';

function Detail({ item }: { item: TimelineItem }) {
  const { t } = useTranslation();
  const detail = timelineDetail(item);
  switch (detail.kind) {
    case 'consent':
      return (
        <Group gap={6}>
          <Text size="sm">
            {t(`channels.${detail.channel}`)} · {t(`consentPurposes.${detail.purpose}`)}
          </Text>
          <Badge size="sm" variant="light" color={STATUS_COLORS[detail.status]}>
            {t(`consentStatuses.${detail.status}`)}
          </Badge>
        </Group>
      );
    case 'note':
      return (
        <Text size="sm" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
          {detail.body}
        </Text>
      );
    case 'changes':
      return (
        <>
          {detail.changes.slice(0, 6).map((c) => (
            <Text key={c.field} size="xs">
              <Code>{c.field}</Code> {c.from === '—' ? c.to : `${c.from} → ${c.to}`}
            </Text>
          ))}
        </>
      );
    case 'none':
      return null;
  }
}

function icon(kind: string) {
  if (kind === 'note') return <IconNote size={12} />;
  if (kind === 'consent') return <IconCircleCheck size={12} />;
  if (kind.startsWith('profile.')) return <IconUser size={12} />;
  return <IconActivity size={12} />;
}

export function TimelinePanel({ customerId }: { customerId: string }) {
  const { t, i18n } = useTranslation();
  const tz = useSession().workspace?.timeZone;
  const timeline = useTimeline(customerId);
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <Paper withBorder p="md" data-testid="timeline-panel">
      <Title order={4} mb="md">
        {t('timeline.title')}
      </Title>
      {timeline.isPending ? (
        <PageLoader />
      ) : timeline.isError ? (
        <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : items.length === 0 ? (
        <Text size="sm" c="dimmed">
          {t('timeline.empty')}
        </Text>
      ) : (
        <>
          <Timeline bulletSize={22} lineWidth={2}>
            {items.map((item) => {
              const key = timelineKindKey(item.kind);
              const actor = timelineActor(item);
              return (
                <Timeline.Item key={item.id} bullet={icon(item.kind)} title={key ? t(`timelineKinds.${key}`) : item.title} data-testid="timeline-item" data-kind={item.kind}>
                  <Detail item={item} />
                  <Text size="xs" c="dimmed" mt={2}>
                    {formatDateTime(item.at, i18n.language, tz)}
                    {actor ? ` · ${actor}` : ''}
                  </Text>
                </Timeline.Item>
              );
            })}
          </Timeline>
          <Center mt="md">
            {timeline.hasNextPage ? (
              <Button variant="default" size="xs" onClick={() => void timeline.fetchNextPage()} loading={timeline.isFetchingNextPage} data-testid="timeline-more">
                {t('common.loadMore')}
              </Button>
            ) : (
              <Text size="xs" c="dimmed">
                {t('timeline.end')}
              </Text>
            )}
          </Center>
        </>
      )}
    </Paper>
  );
}
