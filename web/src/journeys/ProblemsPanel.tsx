// What must be fixed before the journey can be activated, as the server found it in the saved
// definition; each problem selects the step (or the settings) it is about.
import { Alert, Anchor, Group, List, Text } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { JourneyDefinition, Problem } from './api.ts';
import { problemText } from './problem-text.ts';

type Props = { problems: readonly Problem[]; stale: boolean; savedDefinition: JourneyDefinition; onPick: (path: string) => void; activatable: boolean };

export function ProblemsPanel({ problems, stale, savedDefinition, onPick, activatable }: Props) {
  const { t } = useTranslation();
  if (problems.length === 0) {
    // Nothing to fix, and nothing to activate (live as saved): nothing to say.
    if (!activatable && !stale) return null;
    return (
      <Group gap={6} data-testid="journey-ready">
        <IconCircleCheck size={16} color="var(--mantine-color-teal-6)" />
        <Text size="sm" c="teal">
          {t('journeys.problems.ready')}
        </Text>
        {stale && (
          <Text size="xs" c="dimmed">
            ({t('journeys.problems.savedOnly')})
          </Text>
        )}
      </Group>
    );
  }
  return (
    <Alert color="orange" icon={<IconAlertTriangle size={18} />} title={t('journeys.problems.title')} data-testid="journey-problems">
      {stale && (
        <Text size="xs" c="dimmed" mb={4}>
          {t('journeys.problems.savedOnly')}
        </Text>
      )}
      <List size="sm" spacing={2}>
        {problems.map((p, i) => (
          <List.Item key={`${p.path}:${p.code}:${i}`} data-code={p.code}>
            <Anchor component="button" type="button" size="sm" onClick={() => onPick(p.path)} data-testid="journey-problem">
              {problemText(t, p, savedDefinition)}
            </Anchor>
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
