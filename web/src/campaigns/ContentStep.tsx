// Step 2 of the wizard: the channel and purpose, one to five variants (a template and a share
// each) and the holdout, with the sum the server insists on (100) checked as it is typed, and with
// two variants or more, winner selection.
import { ActionIcon, Alert, Anchor, Badge, Button, Group, Modal, NumberInput, SegmentedControl, Select, Stack, Text, Tooltip } from '@mantine/core';
import { IconEye, IconPlus, IconScale, IconTrash } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { CHANNEL_KINDS, type ChannelKind, type MessagePurpose } from '../../../src/messaging/types.ts';
import { useTemplates } from '../messaging/api.ts';
import { TemplatePreview } from '../messaging/TemplatePreview.tsx';
import { WinnerFields } from './WinnerFields.tsx';
import { errorAt, evenShares, MAX_HOLDOUT, MAX_VARIANTS, shareTotal, VARIANT_LETTERS, withVariantCount, type FieldError, type WizardDraft } from './wizard-state.ts';

type Props = { draft: WizardDraft; update: (patch: Partial<WizardDraft>) => void; setDraft: (fn: (d: WizardDraft) => WizardDraft) => void; error: FieldError | null };

const KINDS = CHANNEL_KINDS.filter((k) => k !== 'webhook');
const whole = (v: string | number) => (typeof v === 'number' ? Math.round(v) : Number.parseInt(v, 10) || 0);

export function ContentStep({ draft, update, setDraft, error }: Props) {
  const { t } = useTranslation();
  const templates = useTemplates(draft.kind);
  const [previewing, setPreviewing] = useState<string | null>(null);
  const choices = (templates.data ?? []).filter((tpl) => tpl.kind === draft.kind && !tpl.archivedAt).map((tpl) => ({ value: tpl.id, label: tpl.name }));
  const total = shareTotal(draft);
  const setVariant = (i: number, patch: Partial<WizardDraft['variants'][number]>) => setDraft((d) => ({ ...d, variants: d.variants.map((v, j) => (j === i ? { ...v, ...patch } : v)) }));

  return (
    <Stack gap="md" mt="md" maw={860}>
      <Group align="flex-end" gap="xl">
        <Select
          label={t('campaigns.content.kind')}
          data={KINDS.map((k) => ({ value: k, label: t(`messaging.kinds.${k}`) }))}
          value={draft.kind}
          onChange={(v) => v && update({ kind: v as ChannelKind, variants: draft.variants.map((x) => ({ ...x, templateId: null, name: undefined })) })}
          allowDeselect={false}
          error={errorAt(error, 'kind') ?? errorAt(error, 'channelId')}
          data-testid="campaign-kind"
        />
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('campaigns.content.purpose')}
          </Text>
          <SegmentedControl
            value={draft.purpose}
            onChange={(v) => update({ purpose: v as MessagePurpose })}
            data={[
              { value: 'marketing', label: t('messaging.purposes.marketing') },
              { value: 'transactional', label: t('messaging.purposes.transactional') },
            ]}
            data-testid="campaign-purpose"
          />
        </Stack>
      </Group>
      <Text size="xs" c="dimmed">
        {t(draft.purpose === 'marketing' ? 'messaging.editor.marketingHelp' : 'messaging.editor.transactionalHelp')}
      </Text>

      <Text fw={600}>{t('campaigns.content.variants')}</Text>
      {!templates.isPending && choices.length === 0 && (
        <Alert color="yellow" data-testid="no-templates">
          {t('campaigns.content.noTemplates', { kind: t(`messaging.kinds.${draft.kind}`) })}{' '}
          <Anchor component={Link} to="/messages/templates/new">
            {t('campaigns.content.newTemplate')}
          </Anchor>
        </Alert>
      )}
      {draft.variants.map((v, i) => (
        <Group key={i} align="flex-start" gap="sm" wrap="nowrap" data-testid={`variant-${i}`}>
          <Badge size="lg" variant="light" mt={28} miw={36}>
            {VARIANT_LETTERS[i]}
          </Badge>
          <Select
            style={{ flex: 1 }}
            label={t('campaigns.content.template')}
            placeholder={t('campaigns.content.pickTemplate')}
            data={choices}
            value={v.templateId}
            onChange={(id) => setVariant(i, { templateId: id, name: undefined })}
            searchable
            error={errorAt(error, `variants[${i}].templateId`)}
            data-testid={`variant-${i}-template`}
          />
          <NumberInput
            w={120}
            label={t('campaigns.content.share')}
            suffix="%"
            min={1}
            max={100}
            allowDecimal={false}
            value={v.share}
            onChange={(value) => setVariant(i, { share: whole(value) })}
            error={errorAt(error, `variants[${i}].share`)}
            data-testid={`variant-${i}-share`}
          />
          <Tooltip label={t('campaigns.content.preview')}>
            <ActionIcon variant="default" size="lg" mt={25} disabled={!v.templateId} onClick={() => setPreviewing(v.templateId)} aria-label={t('campaigns.content.preview')} data-testid={`variant-${i}-preview`}>
              <IconEye size={16} />
            </ActionIcon>
          </Tooltip>
          <Tooltip label={t('campaigns.content.removeVariant')}>
            <ActionIcon variant="default" size="lg" mt={25} disabled={draft.variants.length <= 1} onClick={() => setDraft((d) => withVariantCount({ ...d, variants: d.variants.filter((_, j) => j !== i) }, d.variants.length - 1))} aria-label={t('campaigns.content.removeVariant')} data-testid={`variant-${i}-remove`}>
              <IconTrash size={16} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      <Group gap="sm">
        <Button variant="light" leftSection={<IconPlus size={16} />} disabled={draft.variants.length >= MAX_VARIANTS} onClick={() => setDraft((d) => withVariantCount(d, d.variants.length + 1))} data-testid="add-variant">
          {t('campaigns.content.addVariant')}
        </Button>
        <Button variant="subtle" leftSection={<IconScale size={16} />} onClick={() => setDraft((d) => ({ ...d, variants: d.variants.map((v, i) => ({ ...v, share: evenShares(d.variants.length, d.holdoutShare)[i]! })) }))} data-testid="split-evenly">
          {t('campaigns.content.splitEvenly')}
        </Button>
      </Group>

      <NumberInput
        w={260}
        label={t('campaigns.content.holdout')}
        description={t('campaigns.content.holdoutHelp')}
        suffix="%"
        min={0}
        max={MAX_HOLDOUT}
        allowDecimal={false}
        value={draft.holdoutShare}
        onChange={(value) => update({ holdoutShare: whole(value) })}
        error={errorAt(error, 'holdoutShare')}
        data-testid="holdout-share"
      />
      <Text size="sm" fw={600} c={total === 100 ? 'teal' : 'red'} data-testid="share-sum" data-total={total} role={total === 100 ? undefined : 'alert'}>
        {t(total === 100 ? 'campaigns.content.sumOk' : 'campaigns.content.sumWrong', { split: [...draft.variants.map((v) => v.share), draft.holdoutShare].join(' / '), total })}
      </Text>
      {errorAt(error, 'variants') && !draft.variants.some((_, i) => errorAt(error, `variants[${i}]`)) && (
        <Text size="sm" c="red" data-testid="variants-error">
          {errorAt(error, 'variants')}
        </Text>
      )}
      {draft.variants.length >= 2 && <WinnerFields draft={draft} setWinner={(patch) => setDraft((d) => ({ ...d, winner: { ...d.winner, ...patch } }))} error={error} />}

      <Modal opened={previewing !== null} onClose={() => setPreviewing(null)} size="xl" title={t('campaigns.content.preview')}>
        <PreviewBody templateId={previewing} kind={draft.kind} />
      </Modal>
    </Stack>
  );
}

function PreviewBody({ templateId, kind }: { templateId: string | null; kind: ChannelKind }) {
  const { t } = useTranslation();
  const [customerId, setCustomerId] = useState<string | undefined>();
  if (!templateId) return null;
  return (
    <Stack gap="sm">
      <TemplatePreview templateId={templateId} version={undefined} kind={kind} customerId={customerId} onCustomer={setCustomerId} dirty={false} />
      <Anchor component={Link} to={`/messages/templates/${templateId}`} size="sm">
        {t('campaigns.content.openTemplate')}
      </Anchor>
    </Stack>
  );
}
