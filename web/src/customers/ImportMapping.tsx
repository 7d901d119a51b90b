// Import step 2: where each CSV column goes (prefilled from the server's suggestion), a preview
// of the first rows, and how rows find existing customers. Then start.
import { Alert, Button, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconPlayerPlay } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AttributeDef } from './api.ts';
import { MATCH_BY, type MatchBy } from './fields.ts';
import { importTargets, initialMapping, mapsIdentity, repeatedTargets } from './import-targets.ts';
import { sampleRows, useStartImport, type CustomerImport, type UploadedImport } from './imports-api.ts';
import { useTargetLabel } from './import-labels.ts';

const SAMPLE_SHOWN = 5;

type Props = { imp: CustomerImport; preview: UploadedImport | null; defs: readonly AttributeDef[]; onCancel: () => void };

export function ImportMapping({ imp, preview, defs, onCancel }: Props) {
  const { t } = useTranslation();
  const targetLabel = useTargetLabel(defs);
  const start = useStartImport();
  const [mapping, setMapping] = useState<Record<string, string>>(() => initialMapping(imp.headers, preview?.suggestedMapping ?? imp.mapping, defs));
  const [matchBy, setMatchBy] = useState<MatchBy>('auto');
  const rows = sampleRows(preview?.sample, imp.headers).slice(0, SAMPLE_SHOWN);
  const groups = importTargets(defs).map((g) => ({ group: t(`imports.targetGroups.${g.group}`), items: g.targets.map((v) => ({ value: v, label: targetLabel(v) })) }));
  const repeated = repeatedTargets(mapping);
  const mapped = Object.values(mapping).filter(Boolean).length;

  return (
    <Stack data-testid="import-mapping">
      <Paper withBorder>
        <Table.ScrollContainer minWidth={640}>
          <Table data-testid="mapping-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('imports.column')}</Table.Th>
                <Table.Th>{t('imports.examples')}</Table.Th>
                <Table.Th w={300}>{t('imports.target')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {imp.headers.map((h, i) => (
                <Table.Tr key={h} data-testid="mapping-row" data-header={h}>
                  <Table.Td fw={500}>{h}</Table.Td>
                  <Table.Td>
                    <Text size="xs" c="dimmed" lineClamp={2}>
                      {rows.map((r) => r[i]).filter(Boolean).slice(0, 3).join(' · ') || '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      searchable
                      clearable
                      placeholder={t('imports.ignore')}
                      aria-label={t('imports.targetOf', { column: h })}
                      data={groups}
                      value={mapping[h] || null}
                      onChange={(v) => setMapping((m) => ({ ...m, [h]: v ?? '' }))}
                      error={repeated.includes(mapping[h] ?? '') ? true : undefined}
                      data-testid="mapping-target"
                    />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {repeated.length > 0 && (
        <Alert color="yellow" icon={<IconAlertTriangle size={18} />}>
          {t('imports.repeated', { targets: repeated.map(targetLabel).join(', ') })}
        </Alert>
      )}
      {!mapsIdentity(mapping) && (
        <Alert color="yellow" icon={<IconAlertTriangle size={18} />} data-testid="no-identity">
          {t('imports.noIdentity')}
        </Alert>
      )}
      {rows.length > 0 && (
        <Paper withBorder p="md">
          <Title order={5} mb="xs">
            {t('imports.preview')}
          </Title>
          <Table.ScrollContainer minWidth={Math.max(480, imp.headers.length * 120)}>
            <Table striped withTableBorder data-testid="sample-table">
              <Table.Thead>
                <Table.Tr>
                  {imp.headers.map((h) => (
                    <Table.Th key={h}>
                      {h}
                      <Text size="xs" c="dimmed" fw={400}>
                        {mapping[h] ? `→ ${targetLabel(mapping[h])}` : t('imports.ignored')}
                      </Text>
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r, i) => (
                  <Table.Tr key={i}>
                    {r.map((cell, j) => (
                      <Table.Td key={j}>
                        <Text size="xs">{cell}</Text>
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      <Group justify="space-between" align="flex-end">
        <Select
          w={280}
          label={t('imports.matchBy')}
          description={t('imports.matchByHelp')}
          data={MATCH_BY.map((m) => ({ value: m, label: t(`imports.matchByOptions.${m}`) }))}
          value={matchBy}
          onChange={(v) => v && setMatchBy(v as MatchBy)}
          allowDeselect={false}
          data-testid="match-by"
        />
        <Group gap="sm">
          <Button variant="default" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
          <Button
            leftSection={<IconPlayerPlay size={16} />}
            disabled={mapped === 0}
            loading={start.isPending}
            onClick={() => start.mutate({ id: imp.id, mapping, matchBy })}
            data-testid="import-start"
          >
            {t('imports.start', { count: mapped })}
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}
