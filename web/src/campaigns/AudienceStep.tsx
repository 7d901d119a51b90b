// Step 1 of the wizard: the campaign's name and who it goes to (segments in, segments out), with
// the live count of the audience and how many of them the global control group keeps out.
import { Group, MultiSelect, Paper, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import { formatCount } from '../analytics/format.ts';
import { StatCard } from '../analytics/StatCard.tsx';
import { errorMessage } from '../api/query-client.ts';
import { useSegments } from '../segments/api.ts';
import { useAudienceCount, useCampaignSettings, type AudienceInput } from './api.ts';
import { errorAt, type FieldError, type WizardDraft } from './wizard-state.ts';

type Props = { draft: WizardDraft; update: (patch: Partial<WizardDraft>) => void; error: FieldError | null };

export function AudienceStep({ draft, update, error }: Props) {
  const { t, i18n } = useTranslation();
  const segments = useSegments();
  const options = (segments.data ?? []).map((s) => ({ value: s.id, label: t('campaigns.audience.segmentOption', { name: s.name, size: formatCount(s.size, i18n.language) }) }));
  return (
    <Stack gap="md" mt="md" maw={760}>
      <TextInput
        label={t('campaigns.audience.name')}
        placeholder={t('campaigns.audience.namePlaceholder')}
        required
        value={draft.name}
        onChange={(e) => update({ name: e.currentTarget.value })}
        error={errorAt(error, 'name')}
        maxLength={200}
        data-testid="campaign-name"
      />
      <MultiSelect
        label={t('campaigns.audience.include')}
        description={t('campaigns.audience.includeHelp')}
        placeholder={draft.segmentIds.length ? undefined : t('campaigns.audience.pickSegments')}
        data={options}
        value={draft.segmentIds}
        onChange={(ids) => update({ segmentIds: ids, excludeSegmentIds: draft.excludeSegmentIds.filter((x) => !ids.includes(x)) })}
        searchable
        maxValues={20}
        error={errorAt(error, 'audience.segmentIds')}
        nothingFoundMessage={t('campaigns.audience.noSegments')}
        data-testid="audience-include"
      />
      <MultiSelect
        label={t('campaigns.audience.exclude')}
        description={t('campaigns.audience.excludeHelp')}
        data={options.filter((o) => !draft.segmentIds.includes(o.value))}
        value={draft.excludeSegmentIds}
        onChange={(ids) => update({ excludeSegmentIds: ids })}
        searchable
        maxValues={20}
        error={errorAt(error, 'audience.excludeSegmentIds')}
        nothingFoundMessage={t('campaigns.audience.noSegments')}
        data-testid="audience-exclude"
      />
      <AudienceCount draft={draft} />
    </Stack>
  );
}

function AudienceCount({ draft }: { draft: WizardDraft }) {
  const { t, i18n } = useTranslation();
  // Picking several segments one after another asks once, when the choice settles.
  const wanted = draft.segmentIds.length ? JSON.stringify({ segmentIds: draft.segmentIds, excludeSegmentIds: draft.excludeSegmentIds }) : '';
  const [settled] = useDebouncedValue(wanted, 300);
  const count = useAudienceCount(settled ? (JSON.parse(settled) as AudienceInput) : null, draft.purpose);
  const settings = useCampaignSettings();
  const n = (v: number) => formatCount(v, i18n.language);
  if (draft.segmentIds.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('campaigns.audience.pickToCount')}
      </Text>
    );
  }
  if (count.isError) {
    return (
      <Text size="sm" c="red" role="alert" data-testid="audience-count-error">
        {errorMessage(count.error)}
      </Text>
    );
  }
  const data = count.data;
  return (
    <Paper withBorder p="md" data-testid="audience-count" data-targeted={data?.targeted ?? ''} data-control={data?.globalControl ?? ''} data-total={data?.total ?? ''} aria-busy={count.isFetching}>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <StatCard framed={false} label={t('campaigns.audience.total')} value={data ? n(data.total) : '…'} testId="audience-total" />
        <StatCard framed={false} label={t('campaigns.audience.globalControl')} value={data ? n(data.globalControl) : '…'} testId="audience-control" />
        <StatCard framed={false} label={t('campaigns.audience.targeted')} value={data ? n(data.targeted) : '…'} testId="audience-targeted" />
      </SimpleGrid>
      <Group mt="sm">
        <Text size="xs" c="dimmed">
          {draft.purpose === 'marketing'
            ? t('campaigns.audience.controlHelp', { share: settings.data?.globalControlShare ?? 0 })
            : t('campaigns.audience.controlTransactional')}{' '}
          {t('campaigns.audience.countHelp')}
        </Text>
      </Group>
    </Paper>
  );
}
