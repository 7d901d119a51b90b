// Analytics settings: the RFM window, churn and dormancy thresholds, the prediction period and
// CLV horizon, and the grades. Owners and admins change them; the next refresh applies them.
import { Alert, Button, Fieldset, Group, NumberInput, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan, useSession } from '../auth/session.ts';
import { useAnalyticsSettings, useSaveAnalyticsSettings } from './api.ts';
import { GradeEditor } from './GradeEditor.tsx';
import { formPaths, placeErrors, type AnalyticsSettings, type FieldErrors } from './settings-form.ts';

type NumberField = Exclude<keyof AnalyticsSettings, 'grades'>;
type Draft = Omit<AnalyticsSettings, NumberField> & Record<NumberField, number | null>;

const FIELDS: { key: NumberField; decimal?: boolean; step?: number }[] = [
  { key: 'rfmWindowDays' },
  { key: 'churnPAlive', decimal: true, step: 0.05 },
  { key: 'churnRecencyDays' },
  { key: 'dormantDays' },
  { key: 'predictionDays' },
  { key: 'clvHorizonDays' },
  { key: 'clvDiscountRate', decimal: true, step: 0.01 },
];

const NO_ERRORS: FieldErrors = { byPath: new Map(), unplaced: [] };

export function SettingsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const currency = useSession().workspace?.currency ?? 'KRW';
  const settings = useAnalyticsSettings();
  const save = useSaveAnalyticsSettings();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<FieldErrors>(NO_ERRORS);
  const canEdit = can('workspace.manage');

  useEffect(() => {
    if (settings.data && !draft) setDraft(settings.data);
  }, [settings.data, draft]);

  if (settings.isPending || (settings.data && !draft)) return <PageLoader />;
  if (settings.isError) return <QueryError error={settings.error} onRetry={() => void settings.refetch()} />;
  const form = draft!;
  const dirty = JSON.stringify(form) !== JSON.stringify(settings.data);
  const set = (patch: Partial<Draft>) => setDraft({ ...form, ...patch });

  const submit = () => {
    const sent = form;
    save.mutate(sent as AnalyticsSettings, {
      onSuccess: (saved) => {
        setErrors(NO_ERRORS);
        setDraft(saved);
        notifySuccess(t('analytics.settings.saved'));
      },
      onError: (err) => setErrors(placeErrors(err.message, formPaths(sent as AnalyticsSettings))),
    });
  };

  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
      data-testid="analytics-settings"
    >
      <Stack gap="lg">
        {!canEdit && (
          <Alert color="gray" icon={<IconLock size={18} />} data-testid="analytics-settings-readonly">
            {t('common.readOnly')}
          </Alert>
        )}
        {errors.unplaced.length > 0 && (
          <Alert color="red" icon={<IconAlertTriangle size={18} />} title={t('analytics.settings.invalid')} role="alert" data-testid="analytics-settings-error">
            {errors.unplaced.map((m) => (
              <Text key={m} size="sm">
                {m}
              </Text>
            ))}
          </Alert>
        )}
        <Fieldset variant="unstyled" disabled={!canEdit}>
          <Stack gap="lg">
            <Paper withBorder p="md">
              <Title order={4} mb="md">
                {t('analytics.settings.thresholdsTitle')}
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="md">
                {FIELDS.map(({ key, decimal, step }) => (
                  <NumberInput
                    key={key}
                    label={t(`analytics.settings.fields.${key}`)}
                    description={t(`analytics.settings.help.${key}`)}
                    value={form[key] ?? ''}
                    onChange={(v) => set({ [key]: typeof v === 'number' ? v : null })}
                    allowDecimal={Boolean(decimal)}
                    step={step ?? 1}
                    error={errors.byPath.get(`body.${key}`)}
                    data-testid={`setting-${key}`}
                  />
                ))}
              </SimpleGrid>
            </Paper>
            <Paper withBorder p="md">
              <Title order={4}>{t('analytics.settings.gradesTitle')}</Title>
              <Text size="sm" c="dimmed" mb="md">
                {t('analytics.settings.gradesHelp')}
              </Text>
              <GradeEditor grades={form.grades} onChange={(grades) => set({ grades })} errors={errors.byPath} currency={currency} />
            </Paper>
          </Stack>
        </Fieldset>
        {canEdit && (
          <Group justify="flex-end">
            <Button variant="default" disabled={!dirty || save.isPending} onClick={() => { setDraft(settings.data!); setErrors(NO_ERRORS); }}>
              {t('analytics.settings.reset')}
            </Button>
            <Button type="submit" loading={save.isPending} disabled={!dirty} data-testid="analytics-settings-save">
              {t('analytics.settings.save')}
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
