// "New journey": a name, then a blank journey or one of the starters (each a card with what it
// does). Creating opens the editor.
import { Alert, Card, Group, Modal, SimpleGrid, Stack, Text, TextInput, ThemeIcon, UnstyledButton } from '@mantine/core';
import { IconCake, IconCrown, IconGift, IconHandStop, IconMailOpened, IconPlus, IconShoppingCart, IconSparkles, type Icon } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { errorMessage } from '../api/query-client.ts';
import { STARTER_KEYS, useCreateJourney, useStarters, type StarterKey } from './api.ts';
import { blankDefinition } from './graph-edit.ts';

const STARTER_ICONS: Record<StarterKey, Icon> = {
  welcome: IconSparkles,
  abandoned_cart: IconShoppingCart,
  unopened_reminder: IconMailOpened,
  winback_30d: IconHandStop,
  vip_drifting: IconCrown,
  birthday: IconCake,
  cross_sell: IconGift,
};
const isKnown = (key: string): key is StarterKey => (STARTER_KEYS as readonly string[]).includes(key);

export function NewJourneyModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const starters = useStarters(opened);
  const create = useCreateJourney();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<StarterKey | 'blank' | null>(null);
  // The server's list says which starters exist; names and descriptions are ours, by key.
  const keys = starters.data ? starters.data.map((s) => s.key).filter(isKnown) : STARTER_KEYS;

  function start(choice: StarterKey | 'blank') {
    setPicked(choice);
    const typed = name.trim();
    const input =
      choice === 'blank'
        ? { name: typed || t('journeys.create.blankName'), definition: blankDefinition() }
        : { starterKey: choice, name: typed || t(`journeys.starters.${choice}.name`) };
    create.mutate(input, { onSuccess: (j) => navigate(`/journeys/${j.id}`) });
  }

  return (
    <Modal opened={opened} onClose={onClose} title={t('journeys.create.title')} size="xl" data-testid="new-journey-modal">
      <Stack gap="md">
        <TextInput label={t('journeys.create.name')} placeholder={t('journeys.create.blankName')} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={200} data-testid="new-journey-name" />
        {create.isError && (
          <Alert color="red" title={t('journeys.create.failed')}>
            {errorMessage(create.error)}
          </Alert>
        )}
        <Choice icon={IconPlus} title={t('journeys.create.blank')} text={t('journeys.create.blankHelp')} loading={create.isPending && picked === 'blank'} onClick={() => start('blank')} testId="new-journey-blank" />
        <Text fw={600} size="sm">
          {t('journeys.create.starters')}
        </Text>
        {starters.isError && (
          <Text size="sm" c="dimmed">
            {t('journeys.create.startersFailed')}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {keys.map((key) => (
            <Choice
              key={key}
              icon={STARTER_ICONS[key]}
              title={t(`journeys.starters.${key}.name`)}
              text={t(`journeys.starters.${key}.description`)}
              loading={create.isPending && picked === key}
              disabled={create.isPending}
              onClick={() => start(key)}
              testId={`starter-${key}`}
            />
          ))}
        </SimpleGrid>
      </Stack>
    </Modal>
  );
}

function Choice({ icon: Icon, title, text, onClick, loading, disabled, testId }: { icon: Icon; title: string; text: string; onClick: () => void; loading?: boolean; disabled?: boolean; testId: string }) {
  return (
    <UnstyledButton onClick={onClick} disabled={disabled || loading} data-testid={testId} aria-busy={loading} style={{ opacity: disabled && !loading ? 0.6 : 1 }}>
      <Card withBorder padding="md" h="100%">
        <Group align="flex-start" wrap="nowrap" gap="sm">
          <ThemeIcon variant="light" size="lg" radius="md">
            <Icon size={20} />
          </ThemeIcon>
          <Stack gap={2}>
            <Text fw={600} size="sm">
              {title}
            </Text>
            <Text size="xs" c="dimmed">
              {text}
            </Text>
          </Stack>
        </Group>
      </Card>
    </UnstyledButton>
  );
}
