// The template editor's fields: name, kind, purpose, format, subject and body with a variable
// picker, and the options of Kakao (type, template code, buttons) and push (link, icon). The
// server's checks show under the field they concern; an SMS shows its size and type as typed.
import { ActionIcon, Badge, Button, Group, Menu, SegmentedControl, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconBraces, IconPlus, IconTrash } from '@tabler/icons-react';
import { useRef, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNEL_KINDS } from '../../../src/messaging/types.ts';
import { formatNumber } from '../customers/format.ts';
import { smsEstimate, type Validation } from './api.ts';
import { insertAt, TEMPLATE_VARIABLES, variableSnippet } from './format.ts';
import { changeKind, FORMATS, subjectRole, type FieldErrors, type TemplateForm } from './template-form.ts';

type Target = 'subject' | 'body';
/** A link field's hint: a URL starts so in every language. */
const URL_HINT = 'https://';
const VARIABLE_LABELS = {
  'customer.name': 'messaging.variables.name',
  'customer.first_name': 'messaging.variables.firstName',
  'customer.email': 'messaging.variables.email',
  'customer.phone': 'messaging.variables.phone',
  'customer.grade': 'messaging.variables.grade',
  'customer.clv_band': 'messaging.variables.clvBand',
  'customer.favourite_category': 'messaging.variables.favouriteCategory',
  'customer.last_order.at': 'messaging.variables.lastOrderAt',
  'customer.last_order.total': 'messaging.variables.lastOrderTotal',
  'workspace.name': 'messaging.variables.workspaceName',
  'message.unsubscribe_url': 'messaging.variables.unsubscribeUrl',
} as const;

function VariablePicker({ onPick }: { onPick: (snippet: string) => void }) {
  const { t } = useTranslation();
  const groups = ['customer', 'metrics', 'other'] as const;
  return (
    <Menu position="bottom-end" shadow="md" width={300}>
      <Menu.Target>
        <Button size="xs" variant="light" leftSection={<IconBraces size={14} />} data-testid="variable-picker">
          {t('messaging.editor.insertVariable')}
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        {groups.map((g) => (
          <div key={g}>
            <Menu.Label>{t(`messaging.variableGroups.${g}`)}</Menu.Label>
            {TEMPLATE_VARIABLES.filter((v) => v.group === g).map((v) => (
              <Menu.Item
                key={v.path}
                onClick={() => onPick(variableSnippet(v.path, v.path === 'customer.name' ? t('messaging.editor.nameFallback') : undefined))}
                rightSection={
                  <Text size="xs" c="dimmed" ff="monospace">
                    {v.path}
                  </Text>
                }
                data-testid={`variable-${v.path}`}
              >
                {t(VARIABLE_LABELS[v.path as keyof typeof VARIABLE_LABELS])}
              </Menu.Item>
            ))}
          </div>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

function SmsSize({ validation }: { validation: Validation | undefined }) {
  const { t, i18n } = useTranslation();
  const sms = smsEstimate(validation);
  if (!sms) return null;
  const type = sms.type;
  return (
    <Group gap="xs" data-testid="sms-counter" data-bytes={sms.bytes} data-type={type ?? 'none'}>
      <Badge color={type === 'SMS' ? 'teal' : type === 'LMS' ? 'blue' : 'red'} data-testid="sms-counter-type">
        {type ?? t('messaging.editor.tooLong')}
      </Badge>
      <Text size="sm" c="dimmed" data-testid="sms-counter-bytes">
        {t('messaging.editor.bytesOf', { bytes: formatNumber(sms.bytes, i18n.language), max: formatNumber(type === 'SMS' ? 90 : 2000, i18n.language) })}
      </Text>
      {sms.unencodable && sms.unencodable.length > 0 && (
        <Text size="xs" c="orange" data-testid="sms-unencodable">
          {t('messaging.editor.unencodable', { characters: sms.unencodable.join(' ') })}
        </Text>
      )}
    </Group>
  );
}

export function TemplateFields({ form, onChange, errors, validation, isNew, readOnly }: { form: TemplateForm; onChange: (f: TemplateForm) => void; errors: FieldErrors; validation: Validation | undefined; isNew: boolean; readOnly: boolean }) {
  const { t } = useTranslation();
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const lastFocused = useRef<Target>('body');
  const set = (patch: Partial<TemplateForm>) => onChange({ ...form, ...patch });
  const role = subjectRole(form.kind);

  function insert(snippet: string) {
    const target: Target = lastFocused.current === 'subject' && role ? 'subject' : 'body';
    const el: RefObject<HTMLInputElement | HTMLTextAreaElement | null> = target === 'subject' ? subjectRef : bodyRef;
    const current = form[target];
    const start = el.current?.selectionStart ?? current.length;
    const end = el.current?.selectionEnd ?? start;
    const next = insertAt(current, snippet, start, end);
    set({ [target]: next.text });
    requestAnimationFrame(() => {
      el.current?.focus();
      el.current?.setSelectionRange(next.caret, next.caret);
    });
  }

  return (
    <Stack gap="md">
      <TextInput label={t('messaging.editor.name')} required value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} error={errors.name} errorProps={{ 'data-testid': 'template-name-error' }} readOnly={readOnly} data-testid="template-name" />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {t('messaging.editor.kind')}
        </Text>
        <SegmentedControl
          value={form.kind}
          onChange={(v) => onChange(changeKind(form, v as TemplateForm['kind']))}
          data={CHANNEL_KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
          disabled={!isNew || readOnly}
          data-testid="template-kind"
        />
        {!isNew && (
          <Text size="xs" c="dimmed">
            {t('messaging.editor.kindFixed')}
          </Text>
        )}
      </Stack>
      <Group gap="lg" align="flex-start">
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('messaging.editor.purpose')}
          </Text>
          <SegmentedControl
            value={form.purpose}
            onChange={(v) => set({ purpose: v as TemplateForm['purpose'] })}
            data={[
              { value: 'marketing', label: t('messaging.purposes.marketing') },
              { value: 'transactional', label: t('messaging.purposes.transactional') },
            ]}
            disabled={readOnly}
            data-testid="template-purpose"
          />
        </Stack>
        {FORMATS[form.kind].length > 1 && (
          <Stack gap={4}>
            <Text size="sm" fw={500}>
              {t('messaging.editor.format')}
            </Text>
            <SegmentedControl value={form.format} onChange={(v) => set({ format: v as TemplateForm['format'] })} data={FORMATS[form.kind].map((f) => ({ value: f, label: t(`messaging.formats.${f}`) }))} disabled={readOnly} data-testid="template-format" />
          </Stack>
        )}
      </Group>
      <Text size="xs" c="dimmed">
        {t(form.purpose === 'marketing' ? 'messaging.editor.marketingHelp' : 'messaging.editor.transactionalHelp')}
      </Text>
      {form.kind === 'kakao' && <KakaoOptions form={form} set={set} error={errors.options} readOnly={readOnly} />}
      <Group justify="space-between" align="flex-end">
        <Text size="sm" fw={500}>
          {t('messaging.editor.content')}
        </Text>
        {!readOnly && form.kind !== 'webhook' && <VariablePicker onPick={insert} />}
      </Group>
      {role && (
        <TextInput
          ref={subjectRef}
          label={t(`messaging.editor.subjectRoles.${role}`)}
          required={role !== 'lmsTitle'}
          value={form.subject}
          onChange={(e) => set({ subject: e.currentTarget.value })}
          onFocus={() => (lastFocused.current = 'subject')}
          error={errors.subject}
          errorProps={{ 'data-testid': 'template-subject-error', style: { whiteSpace: 'pre-line' } }}
          readOnly={readOnly}
          data-testid="template-subject"
        />
      )}
      <Textarea
        ref={bodyRef}
        label={t(`messaging.editor.bodyLabels.${form.format}`)}
        required
        autosize
        minRows={form.kind === 'email' ? 14 : 5}
        maxRows={30}
        value={form.body}
        onChange={(e) => set({ body: e.currentTarget.value })}
        onFocus={() => (lastFocused.current = 'body')}
        error={errors.body}
        errorProps={{ 'data-testid': 'template-body-error', style: { whiteSpace: 'pre-line' } }}
        readOnly={readOnly}
        styles={{ input: { fontFamily: form.format === 'text' ? undefined : 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
        data-testid="template-body"
      />
      {(form.kind === 'sms' || (form.kind === 'kakao' && form.kakaoType === 'friendtalk')) && <SmsSize validation={validation} />}
      {form.kind === 'push' && (
        <Group grow>
          <TextInput label={t('messaging.editor.pushUrl')} placeholder={URL_HINT} value={form.url} onChange={(e) => set({ url: e.currentTarget.value })} error={errors.options} readOnly={readOnly} />
          <TextInput label={t('messaging.editor.pushIcon')} placeholder={URL_HINT} value={form.icon} onChange={(e) => set({ icon: e.currentTarget.value })} readOnly={readOnly} />
        </Group>
      )}
    </Stack>
  );
}

function KakaoOptions({ form, set, error, readOnly }: { form: TemplateForm; set: (p: Partial<TemplateForm>) => void; error: string | undefined; readOnly: boolean }) {
  const { t } = useTranslation();
  const setButton = (i: number, patch: Partial<TemplateForm['buttons'][number]>) => set({ buttons: form.buttons.map((b, j) => (j === i ? { ...b, ...patch } : b)) });
  return (
    <Stack gap="xs">
      <SegmentedControl
        value={form.kakaoType}
        onChange={(v) => set({ kakaoType: v as TemplateForm['kakaoType'] })}
        data={[
          { value: 'friendtalk', label: t('messaging.render.friendtalk') },
          { value: 'alimtalk', label: t('messaging.render.alimtalk') },
        ]}
        disabled={readOnly}
        data-testid="template-kakao-type"
      />
      <Text size="xs" c="dimmed">
        {t(form.kakaoType === 'alimtalk' ? 'messaging.editor.alimtalkHelp' : 'messaging.editor.friendtalkHelp')}
      </Text>
      {form.kakaoType === 'alimtalk' && (
        <TextInput label={t('messaging.editor.templateCode')} required value={form.templateCode} onChange={(e) => set({ templateCode: e.currentTarget.value })} error={error} readOnly={readOnly} data-testid="template-code" />
      )}
      {form.buttons.map((b, i) => (
        <Group key={i} gap="xs" align="flex-end" wrap="nowrap">
          <TextInput label={i === 0 ? t('messaging.editor.buttonName') : undefined} value={b.name} onChange={(e) => setButton(i, { name: e.currentTarget.value })} readOnly={readOnly} style={{ flex: 1 }} />
          <TextInput label={i === 0 ? t('messaging.editor.buttonLink') : undefined} placeholder={URL_HINT} value={b.link} onChange={(e) => setButton(i, { link: e.currentTarget.value })} readOnly={readOnly} style={{ flex: 2 }} />
          {!readOnly && (
            <ActionIcon variant="subtle" color="red" aria-label={t('messaging.editor.removeButton')} onClick={() => set({ buttons: form.buttons.filter((_, j) => j !== i) })} mb={4}>
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
      ))}
      {!readOnly && form.buttons.length < 5 && (
        <Button size="xs" variant="subtle" leftSection={<IconPlus size={14} />} onClick={() => set({ buttons: [...form.buttons, { name: '', link: '' }] })} w="fit-content">
          {t('messaging.editor.addButton')}
        </Button>
      )}
      {error && form.kakaoType !== 'alimtalk' && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}
