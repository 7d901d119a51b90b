// A template's saved versions, newest first; any of them can be loaded back into the editor and
// saved again as the newest.
import { Button, Paper, Table, Text, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useTemplateVersions, type TemplateVersion } from './api.ts';

export function TemplateVersions({ templateId, latest, onLoad, canEdit }: { templateId: string; latest: number; onLoad: (v: TemplateVersion) => void; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const versions = useTemplateVersions(templateId);
  const items = [...(versions.data ?? [])].sort((a, b) => b.version - a.version);
  if (items.length === 0) return null;
  return (
    <Paper withBorder p="md">
      <Title order={4} mb="sm">
        {t('messaging.versions.title')}
      </Title>
      <Table verticalSpacing={6} data-testid="template-versions">
        <Table.Tbody>
          {items.map((v) => (
            <Table.Tr key={v.version} data-testid="template-version">
              <Table.Td>
                <Text size="sm" fw={v.version === latest ? 600 : undefined}>
                  {t('messaging.templates.versionN', { version: v.version })}
                  {v.version === latest ? ` · ${t('messaging.versions.current')}` : ''}
                </Text>
                <Text size="xs" c="dimmed">
                  {[formatDateTime(v.createdAt, i18n.language, timeZone), v.createdByLabel].filter(Boolean).join(' · ')}
                </Text>
              </Table.Td>
              <Table.Td ta="right">
                {canEdit && v.version !== latest && (
                  <Button size="compact-xs" variant="subtle" onClick={() => onLoad(v)}>
                    {t('messaging.versions.load')}
                  </Button>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
