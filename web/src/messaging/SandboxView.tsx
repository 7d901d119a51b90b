// One Sandbox inbox message drawn for its kind, with the raw message for analysts below.
import { Accordion, Code, ScrollArea, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSession } from '../auth/session.ts';
import { formatDateTime } from '../i18n/format.ts';
import type { SandboxMessage } from './api.ts';
import { formatAddress } from './format.ts';
import { EmailFrame, KakaoBubble, PushCard, SmsBubble, type KakaoButtonView } from './MessageRender.tsx';

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function buttonsOf(meta: Record<string, unknown>): KakaoButtonView[] {
  const list = Array.isArray(meta.buttons) ? meta.buttons : [];
  return list.filter((b): b is KakaoButtonView => typeof b === 'object' && b !== null && typeof (b as { name?: unknown }).name === 'string');
}

/** Plain text as simple HTML, for an e-mail that came without an HTML part. */
function textAsHtml(text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<pre style="font-family: sans-serif; white-space: pre-wrap; margin: 16px">${escaped}</pre>`;
}

export function SandboxView({ message }: { message: SandboxMessage }) {
  const { t, i18n } = useTranslation();
  const timeZone = useSession().workspace?.timeZone;
  const m = message;
  const to = formatAddress(m.kind, m.to, i18n.language);
  const from = m.kind === 'sms' || m.kind === 'kakao' ? formatAddress(m.kind, m.from, i18n.language) : m.from;
  let body;
  switch (m.kind) {
    case 'email':
      body = <EmailFrame html={m.html ?? textAsHtml(m.text ?? '')} subject={m.subject ?? ''} from={from} to={to} testId="sandbox-email" />;
      break;
    case 'sms': {
      body = <SmsBubble text={m.text ?? ''} title={m.subject ?? str(m.meta.title)} type={str(m.meta.type)} bytes={num(m.meta.bytes)} from={from} />;
      break;
    }
    case 'kakao': {
      body = <KakaoBubble text={m.text ?? ''} buttons={buttonsOf(m.meta)} type={str(m.meta.type)} channelName={str(m.meta.pfId) ?? from} />;
      break;
    }
    case 'push':
      body = <PushCard title={m.subject ?? str(m.meta.title) ?? ''} body={m.text ?? ''} url={str(m.meta.url)} icon={str(m.meta.icon)} />;
      break;
    default:
      body = (
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {m.text}
        </Text>
      );
  }
  return (
    <Stack gap="md" data-testid="sandbox-view" data-kind={m.kind}>
      <Text size="sm" c="dimmed">
        {t('messaging.sandbox.received', { to, when: formatDateTime(m.receivedAt, i18n.language, timeZone) })}
      </Text>
      {body}
      <Accordion variant="contained">
        <Accordion.Item value="raw">
          <Accordion.Control>{t('messaging.detail.analystDetails')}</Accordion.Control>
          <Accordion.Panel>
            <ScrollArea.Autosize mah={360}>
              <Code block>{JSON.stringify({ id: m.id, messageId: m.messageId, to: m.to, from: m.from, meta: m.meta, headers: m.headers }, null, 2)}</Code>
            </ScrollArea.Autosize>
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Stack>
  );
}
