// A saved template rendered for one chosen customer, as that customer would receive it.
import { Alert, Paper, Stack, Text, Title } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../api/query-client.ts';
import { PageLoader } from '../app/QueryState.tsx';
import { useTemplatePreview, type ChannelKind, type Preview } from './api.ts';
import { CustomerSearch } from './CustomerSearch.tsx';
import { EmailFrame, KakaoBubble, PushCard, SmsBubble } from './MessageRender.tsx';

function Rendered({ kind, preview }: { kind: ChannelKind; preview: Preview }) {
  const text = preview.text ?? '';
  switch (kind) {
    case 'email':
      return <EmailFrame html={preview.html ?? ''} subject={preview.subject ?? ''} testId="preview-email" />;
    case 'sms':
      return <SmsBubble text={text} title={preview.title} type={preview.sms?.type} bytes={preview.sms?.bytes} />;
    case 'kakao':
      return <KakaoBubble text={text} buttons={preview.kakao?.buttons ?? []} type={preview.kakao?.type} />;
    case 'push':
      return <PushCard title={preview.push?.title ?? preview.title ?? ''} body={preview.push?.body ?? text} url={preview.push?.url} icon={preview.push?.icon} />;
    default:
      return (
        <Paper withBorder p="sm">
          <Text size="sm" ff="monospace" style={{ whiteSpace: 'pre-wrap' }}>
            {preview.json ? JSON.stringify(preview.json, null, 2) : text}
          </Text>
        </Paper>
      );
  }
}

export function TemplatePreview({ templateId, version, kind, customerId, onCustomer, dirty }: { templateId: string | undefined; version: number | undefined; kind: ChannelKind; customerId: string | undefined; onCustomer: (id: string | undefined) => void; dirty: boolean }) {
  const { t } = useTranslation();
  const preview = useTemplatePreview(templateId, customerId, version);
  return (
    <Stack gap="sm" data-testid="template-preview">
      <Title order={4}>{t('messaging.preview.title')}</Title>
      {!templateId ? (
        <Text size="sm" c="dimmed">
          {t('messaging.preview.saveFirst')}
        </Text>
      ) : (
        <>
          <CustomerSearch label={t('messaging.preview.customer')} value={customerId} onChange={(id) => onCustomer(id)} testId="preview-customer" width="100%" />
          {dirty && (
            <Text size="xs" c="dimmed" data-testid="preview-unsaved">
              {t('messaging.preview.unsaved')}
            </Text>
          )}
          {!customerId ? (
            <Text size="sm" c="dimmed">
              {t('messaging.preview.pickCustomer')}
            </Text>
          ) : preview.isPending ? (
            <PageLoader />
          ) : preview.isError ? (
            <Alert color="red" icon={<IconAlertTriangle size={18} />} data-testid="preview-error">
              {errorMessage(preview.error)}
            </Alert>
          ) : (
            <Stack gap="sm" data-testid="preview-result">
              {preview.data.errors.length > 0 && (
                <Alert color="yellow" icon={<IconAlertTriangle size={18} />} data-testid="preview-problems" style={{ whiteSpace: 'pre-line' }}>
                  {preview.data.errors.map((e) => e.message).join('\n')}
                </Alert>
              )}
              {preview.data.masked && (
                <Text size="xs" c="dimmed">
                  {t('messaging.preview.masked')}
                </Text>
              )}
              <Rendered kind={kind} preview={preview.data} />
            </Stack>
          )}
        </>
      )}
    </Stack>
  );
}
