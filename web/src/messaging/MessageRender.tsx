// A message drawn as its customer sees it: an e-mail in a sandboxed frame (no scripts, no access
// to Rapport) at desktop or phone width, an SMS/LMS bubble with its type and size, a KakaoTalk
// bubble with its buttons, a push notification card. Used by the template preview and the
// Sandbox inbox.
import { Badge, Box, Button, Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconBell, IconMessageCircle } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../customers/format.ts';

// 600 px is the width e-mail layouts (MJML's default) are made for; 375 px a common phone.
export const EMAIL_WIDTHS = { desktop: 600, mobile: 375 } as const;
export type EmailWidth = keyof typeof EMAIL_WIDTHS;

export function EmailFrame({ html, subject, from, to, testId = 'email-frame' }: { html: string; subject?: string | null; from?: string | null; to?: string | null; testId?: string }) {
  const { t } = useTranslation();
  const [width, setWidth] = useState<EmailWidth>('desktop');
  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Stack gap={0}>
          {subject != null && (
            <Text fw={600} data-testid={`${testId}-subject`}>
              {subject}
            </Text>
          )}
          {(from || to) && (
            <Text size="xs" c="dimmed">
              {[from && t('messaging.render.from', { address: from }), to && t('messaging.render.to', { address: to })].filter(Boolean).join(' · ')}
            </Text>
          )}
        </Stack>
        <SegmentedControl
          size="xs"
          value={width}
          onChange={(v) => setWidth(v as EmailWidth)}
          data={[
            { value: 'desktop', label: t('messaging.render.desktop') },
            { value: 'mobile', label: t('messaging.render.mobile') },
          ]}
          data-testid={`${testId}-width`}
        />
      </Group>
      <Box style={{ overflowX: 'auto' }}>
        <Paper withBorder mx="auto" w={EMAIL_WIDTHS[width]} style={{ overflow: 'hidden', background: 'white' }}>
          {/* Empty sandbox: the e-mail's scripts never run and it cannot reach the page or its cookies. */}
          <iframe title={subject ?? t('messaging.render.email')} srcDoc={html} sandbox="" style={{ border: 0, width: '100%', height: 560, display: 'block' }} data-testid={testId} data-width={width} />
        </Paper>
      </Box>
    </Stack>
  );
}

function Bubble({ children, color, testId }: { children: ReactNode; color: string; testId: string }) {
  return (
    <Paper radius="lg" p="sm" maw={320} style={{ background: color, color: '#1a1a1a', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} data-testid={testId}>
      {children}
    </Paper>
  );
}

export function SmsBubble({ text, title, type, bytes, from }: { text: string; title?: string | null; type?: string | null; bytes?: number | null; from?: string | null }) {
  const { t, i18n } = useTranslation();
  return (
    <Stack gap={6} data-testid="sms-preview">
      <Group gap="xs">
        {type && (
          <Badge color={type === 'SMS' ? 'teal' : 'blue'} data-testid="sms-type">
            {type}
          </Badge>
        )}
        {bytes != null && (
          <Text size="xs" c="dimmed" data-testid="sms-bytes" data-bytes={bytes}>
            {t('messaging.render.bytes', { count: bytes, formatted: formatNumber(bytes, i18n.language) })}
          </Text>
        )}
        {from && (
          <Text size="xs" c="dimmed">
            {t('messaging.render.from', { address: from })}
          </Text>
        )}
      </Group>
      <Bubble color="#e9ecef" testId="sms-bubble">
        {title && (
          <Text fw={700} size="sm" mb={4}>
            {title}
          </Text>
        )}
        <Text size="sm">{text}</Text>
      </Bubble>
    </Stack>
  );
}

export type KakaoButtonView = { name: string; linkMo?: string; linkPc?: string; type?: string };

export function KakaoBubble({ text, buttons, type, channelName }: { text: string; buttons: KakaoButtonView[]; type?: string | null; channelName?: string | null }) {
  const { t } = useTranslation();
  return (
    <Stack gap={6} data-testid="kakao-preview">
      <Group gap="xs">
        <IconMessageCircle size={16} />
        <Text size="sm" fw={600}>
          {channelName || t('messaging.render.kakaoChannel')}
        </Text>
        {type && <Badge color="yellow">{t(type === 'alimtalk' ? 'messaging.render.alimtalk' : 'messaging.render.friendtalk')}</Badge>}
      </Group>
      <Box p="sm" style={{ background: '#b2c7d9', borderRadius: 12, maxWidth: 340 }}>
        <Paper radius="md" p={0} style={{ background: 'white', color: '#1a1a1a', overflow: 'hidden' }} data-testid="kakao-bubble">
          {type === 'alimtalk' && (
            <Box px="sm" py={6} style={{ background: '#fee500' }}>
              <Text size="xs" fw={700}>
                {t('messaging.render.alimtalkHeader')}
              </Text>
            </Box>
          )}
          <Text size="sm" p="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
            {text}
          </Text>
          {buttons.length > 0 && (
            <Stack gap={4} p="sm" pt={0}>
              {buttons.map((b, i) => (
                <Button
                  key={i}
                  component="a"
                  href={b.linkMo || b.linkPc || undefined}
                  target="_blank"
                  rel="noopener noreferrer"
                  variant="default"
                  size="xs"
                  fullWidth
                  data-testid="kakao-button"
                >
                  {b.name}
                </Button>
              ))}
            </Stack>
          )}
        </Paper>
      </Box>
    </Stack>
  );
}

export function PushCard({ title, body, url, icon }: { title: string; body: string; url?: string | null; icon?: string | null }) {
  const { t } = useTranslation();
  return (
    <Paper withBorder shadow="sm" radius="md" p="sm" maw={380} data-testid="push-preview">
      <Group gap="sm" wrap="nowrap" align="flex-start">
        {icon ? <img src={icon} alt="" width={40} height={40} style={{ borderRadius: 8 }} /> : <IconBell size={32} />}
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Text size="sm" fw={700} lineClamp={1}>
            {title}
          </Text>
          <Text size="sm" lineClamp={3}>
            {body}
          </Text>
          {url && (
            <Text size="xs" c="dimmed" lineClamp={1}>
              {t('messaging.render.opens', { url })}
            </Text>
          )}
        </Stack>
      </Group>
    </Paper>
  );
}
