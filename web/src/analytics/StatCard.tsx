// One figure with its label (and a line under it) on the analytics pages and the profile panel.
import { Paper, Text } from '@mantine/core';
import type { ReactNode } from 'react';

export function StatCard({ label, value, hint, testId, framed = true }: { label: string; value: ReactNode; hint?: ReactNode; testId: string; framed?: boolean }) {
  const body = (
    <>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text fw={700} fz={framed ? 'xl' : 'md'} data-testid={`${testId}-value`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </>
  );
  return framed ? (
    <Paper withBorder p="md" data-testid={testId}>
      {body}
    </Paper>
  ) : (
    <div data-testid={testId}>{body}</div>
  );
}
