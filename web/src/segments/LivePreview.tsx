// The live count of the definition being edited, with a sample of its customers.
import { Anchor, Badge, Button, Card, Group, Loader, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { formatCount } from '../analytics/format.ts';
import type { Preview } from './api.ts';

export function LivePreview({ data, fetching, failed, onExact }: { data: Preview | undefined; fetching: boolean; failed: boolean; onExact?: () => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Card withBorder padding="md" data-testid="live-preview">
      <Stack gap="xs">
        <Group justify="space-between">
          <Text fw={600}>{t('segments.preview.title')}</Text>
          {fetching && <Loader size="xs" />}
        </Group>
        {failed ? (
          <Text size="sm" c="red">
            {t('segments.preview.invalid')}
          </Text>
        ) : data ? (
          <>
            <Group gap="xs" align="baseline">
              <Text size="xl" fw={700} data-testid="live-count" data-count={data.count} data-estimated={data.estimated}>
                {data.estimated
                  ? data.count === 0
                    ? t('segments.preview.under', { n: formatCount(data.margin, i18n.language) })
                    : `≈ ${formatCount(data.count, i18n.language)}`
                  : formatCount(data.count, i18n.language)}
              </Text>
              <Text size="sm" c="dimmed">
                {t('segments.preview.customers')}
              </Text>
              <Badge variant="light" color="gray" size="xs">
                {t('segments.preview.ms', { ms: data.ms })}
              </Badge>
            </Group>
            {data.estimated && (
              <Group gap="xs" data-testid="live-estimate">
                <Text size="xs" c="dimmed">
                  {data.count > 0
                    ? t('segments.preview.estimate', { margin: formatCount(data.margin, i18n.language), n: formatCount(data.sampledCustomers ?? 0, i18n.language) })
                    : t('segments.preview.estimateNone', { n: formatCount(data.sampledCustomers ?? 0, i18n.language) })}
                </Text>
                {onExact && (
                  <Button size="compact-xs" variant="subtle" onClick={onExact} data-testid="live-exact">
                    {t('segments.preview.exact')}
                  </Button>
                )}
              </Group>
            )}
            {data.sample.length > 0 && (
              <Table fz="sm" verticalSpacing={4} data-testid="live-sample">
                <Table.Tbody>
                  {data.sample.map((m) => (
                    <Table.Tr key={m.customerId}>
                      <Table.Td>
                        <Anchor component={Link} to={`/customers/${m.customerId}`} size="sm">
                          {m.name ?? m.email ?? m.externalId ?? m.customerId.slice(0, 8)}
                        </Anchor>
                      </Table.Td>
                      <Table.Td c="dimmed">{m.email ?? m.phone ?? ''}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </>
        ) : (
          <Text size="sm" c="dimmed">
            {t('segments.preview.waiting')}
          </Text>
        )}
      </Stack>
    </Card>
  );
}
