// Send one message to one customer: the channel, a template or a text of one's own, what it is
// for, and when (now, at a time, or at the customer's best hour). The answer is said in words:
// queued, or held back and why.
import { Alert, Anchor, Button, Group, Modal, SegmentedControl, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconSend } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { CHANNEL_KINDS } from '../../../src/messaging/types.ts';
import { errorMessage } from '../api/query-client.ts';
import { useCan } from '../auth/session.ts';
import { useChannels, useSendMessage, useTemplates, type ChannelKind, type Message, type MessagePurpose, type SendInput } from './api.ts';
import { CustomerSearch } from './CustomerSearch.tsx';
import { StatusWithReason } from './StatusBadge.tsx';
import { subjectRole } from './template-form.ts';

type When = 'now' | 'at' | 'best_hour';

/** A key for this one send: the same if the button is pressed twice, so it goes out once. */
function newKey(): string {
  return `ui:${crypto.randomUUID()}`;
}

function Result({ message, onClose }: { message: Message; onClose: () => void }) {
  const { t } = useTranslation();
  const held = message.status === 'suppressed' || message.status === 'failed';
  return (
    <Stack gap="md" data-testid="send-result" data-status={message.status}>
      <Alert color={held ? 'orange' : 'teal'} title={t(held ? 'messaging.send.heldTitle' : message.status === 'deferred' ? 'messaging.send.deferredTitle' : 'messaging.send.queuedTitle')}>
        <StatusWithReason status={message.status} reason={message.reason} sendAt={message.sendAt} testId="send-result-status" />
      </Alert>
      <Group justify="space-between">
        <Anchor component={Link} to={`/messages?message=${message.id}`} size="sm" onClick={onClose} data-testid="send-result-log">
          {t('messaging.send.openLog')}
        </Anchor>
        <Button onClick={onClose}>{t('common.close')}</Button>
      </Group>
    </Stack>
  );
}

export function SendMessageModal({ opened, onClose, customerId, templateId, kind: initialKind }: { opened: boolean; onClose: () => void; customerId?: string; templateId?: string; kind?: ChannelKind }) {
  const { t } = useTranslation();
  const [customer, setCustomer] = useState<string | undefined>(customerId);
  const [kind, setKind] = useState<ChannelKind>(initialKind ?? 'email');
  const [channelId, setChannelId] = useState<string | null>(null);
  const [source, setSource] = useState<'template' | 'text'>('template');
  const [template, setTemplate] = useState<string | null>(templateId ?? null);
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [purpose, setPurpose] = useState<MessagePurpose | null>(null);
  const [when, setWhen] = useState<When>('now');
  const [at, setAt] = useState('');
  const [key] = useState(newKey);
  const channels = useChannels();
  const templates = useTemplates();
  const send = useSendMessage();

  const kindChannels = (channels.data ?? []).filter((c) => c.kind === kind && !c.archivedAt);
  const kindTemplates = (templates.data ?? []).filter((tpl) => tpl.kind === kind && !tpl.archivedAt);
  const chosenTemplate = kindTemplates.find((tpl) => tpl.id === template);
  const effectivePurpose: MessagePurpose = purpose ?? chosenTemplate?.purpose ?? 'marketing';
  const channel = kindChannels.find((c) => c.id === channelId) ?? kindChannels.find((c) => c.isDefault) ?? kindChannels[0];
  const role = subjectRole(kind);
  const atIso = useMemo(() => (at ? new Date(at).toISOString() : ''), [at]);
  const ready = Boolean(customer && channel && (source === 'template' ? chosenTemplate : body.trim()) && (when !== 'at' || atIso));

  function submit() {
    if (!ready || !channel) return;
    const input: SendInput = {
      customerId: customer,
      channel: channel.isDefault ? kind : channel.id,
      purpose: effectivePurpose,
      idempotencyKey: key,
      ...(source === 'template' ? { templateId: chosenTemplate!.id } : { content: { ...(role && subject.trim() ? { subject } : {}), body, format: kind === 'email' ? 'html' : 'text' } }),
      ...(when === 'at' ? { sendAt: atIso } : when === 'best_hour' ? { sendAt: 'best_hour' } : {}),
    };
    send.mutate(input);
  }

  const result = send.data ?? null;

  return (
    <Modal opened={opened} onClose={onClose} title={t('messaging.send.title')} size="lg" data-testid="send-modal">
      {result ? (
        <Result message={result} onClose={onClose} />
      ) : (
        <Stack gap="md">
          {!customerId && <CustomerSearch label={t('messaging.send.customer')} value={customer} onChange={(id) => setCustomer(id)} testId="send-customer" width="100%" required />}
          <Select
            label={t('messaging.send.channel')}
            data={CHANNEL_KINDS.filter((k) => k !== 'webhook').map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
            value={kind}
            onChange={(v) => {
              if (!v) return;
              setKind(v as ChannelKind);
              setChannelId(null);
              setTemplate(null);
            }}
            allowDeselect={false}
            data-testid="send-kind"
          />
          {kindChannels.length === 0 && !channels.isPending ? (
            <Alert color="yellow" data-testid="send-no-channel">
              {t('messaging.send.noChannel')}{' '}
              <Anchor component={Link} to="/settings/channels" onClick={onClose}>
                {t('messaging.send.setUpChannels')}
              </Anchor>
            </Alert>
          ) : (
            kindChannels.length > 1 && (
              <Select label={t('messaging.send.through')} data={kindChannels.map((c) => ({ value: c.id, label: c.name }))} value={channel?.id ?? null} onChange={setChannelId} allowDeselect={false} data-testid="send-channel" />
            )
          )}
          <SegmentedControl
            value={source}
            onChange={(v) => setSource(v as 'template' | 'text')}
            data={[
              { value: 'template', label: t('messaging.send.useTemplate') },
              { value: 'text', label: t('messaging.send.writeText') },
            ]}
            data-testid="send-source"
          />
          {source === 'template' ? (
            <Select
              label={t('messaging.send.template')}
              placeholder={kindTemplates.length ? t('messaging.send.pickTemplate') : t('messaging.send.noTemplates')}
              data={kindTemplates.map((tpl) => ({ value: tpl.id, label: tpl.name }))}
              value={chosenTemplate ? chosenTemplate.id : null}
              onChange={setTemplate}
              searchable
              data-testid="send-template"
            />
          ) : (
            <>
              {role && <TextInput label={t(`messaging.editor.subjectRoles.${role}`)} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} data-testid="send-subject" />}
              <Textarea label={t('messaging.send.text')} description={t('messaging.send.textHelp', { example: '{{ customer.name }}' })} autosize minRows={4} value={body} onChange={(e) => setBody(e.currentTarget.value)} data-testid="send-text" />
            </>
          )}
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('messaging.editor.purpose')}
            </Text>
            <SegmentedControl
              value={effectivePurpose}
              onChange={(v) => setPurpose(v as MessagePurpose)}
              data={[
                { value: 'marketing', label: t('messaging.purposes.marketing') },
                { value: 'transactional', label: t('messaging.purposes.transactional') },
              ]}
              data-testid="send-purpose"
            />
            <Text size="xs" c="dimmed">
              {t(effectivePurpose === 'marketing' ? 'messaging.editor.marketingHelp' : 'messaging.editor.transactionalHelp')}
            </Text>
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('messaging.send.when')}
            </Text>
            <SegmentedControl
              value={when}
              onChange={(v) => setWhen(v as When)}
              data={[
                { value: 'now', label: t('messaging.send.now') },
                { value: 'at', label: t('messaging.send.at') },
                { value: 'best_hour', label: t('messaging.send.bestHour') },
              ]}
              data-testid="send-when"
            />
            {when === 'at' && <TextInput type="datetime-local" aria-label={t('messaging.send.at')} value={at} onChange={(e) => setAt(e.currentTarget.value)} data-testid="send-at" />}
            {when === 'best_hour' && (
              <Text size="xs" c="dimmed">
                {t('messaging.send.bestHourHelp')}
              </Text>
            )}
          </Stack>
          {send.isError && (
            <Alert color="red" data-testid="send-error">
              {errorMessage(send.error)}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('common.cancel')}
            </Button>
            <Button leftSection={<IconSend size={16} />} onClick={submit} disabled={!ready} loading={send.isPending} data-testid="send-submit">
              {t('messaging.send.submit')}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The "Send message" button of a customer's page, with its modal; nothing for roles that may not send. */
export function SendMessageButton({ customerId }: { customerId: string }) {
  const { t } = useTranslation();
  const can = useCan();
  const [opened, setOpened] = useState(false);
  if (!can('messaging.write')) return null;
  return (
    <>
      <Button variant="light" leftSection={<IconSend size={16} />} onClick={() => setOpened(true)} data-testid="customer-send-message">
        {t('messaging.send.open')}
      </Button>
      {/* Mounted only while open, so each opening is a new send with its own key. */}
      {opened && <SendMessageModal opened onClose={() => setOpened(false)} customerId={customerId} />}
    </>
  );
}
