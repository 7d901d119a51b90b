// Small labels used across the customers pages: lifecycle stage, tags, attribute purpose.
import { Badge, Group, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { PURPOSE_COLORS, STAGE_COLORS, type AttributePurpose, type LifecycleStage } from './fields.ts';

export function StageBadge({ stage }: { stage: LifecycleStage | null }) {
  const { t } = useTranslation();
  if (!stage) return null;
  return (
    <Badge variant="light" color={STAGE_COLORS[stage]} data-testid="stage-badge" data-stage={stage}>
      {t(`stages.${stage}`)}
    </Badge>
  );
}

export function TagList({ tags, max = 4 }: { tags: readonly string[]; max?: number }) {
  if (tags.length === 0) return null;
  const shown = tags.slice(0, max);
  return (
    <Group gap={4} wrap="wrap">
      {shown.map((tag) => (
        <Badge key={tag} variant="outline" color="gray" tt="none" size="sm" data-testid="tag">
          {tag}
        </Badge>
      ))}
      {tags.length > max && (
        <Tooltip label={tags.slice(max).join(', ')}>
          <Badge variant="transparent" color="gray" size="sm">
            +{tags.length - max}
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

export function PurposeBadge({ purpose }: { purpose: AttributePurpose }) {
  const { t } = useTranslation();
  return (
    <Tooltip label={t(`attributePurposeHelp.${purpose}`)}>
      <Badge size="xs" variant="light" color={PURPOSE_COLORS[purpose]} data-testid="purpose-badge" data-purpose={purpose}>
        {t(`attributePurposes.${purpose}`)}
      </Badge>
    </Tooltip>
  );
}
