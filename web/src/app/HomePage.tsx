// Home: the active workspace, your role in it, the server's health and where to start.
import { Badge, Card, Group, SimpleGrid, Spoiler, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconApi, IconKey, IconUsersPlus } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useSession } from '../auth/session.ts';
import { currencyLabel, formatDate } from '../i18n/format.ts';
import { NoWorkspace } from '../workspaces/NoWorkspace.tsx';
import { HealthCard } from './HealthCard.tsx';
import { PageHeader } from './PageHeader.tsx';
import classes from './HomePage.module.css';

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm">{value}</Text>
    </div>
  );
}

function StartLink({ icon, title, text, to, external }: { icon: ReactNode; title: string; text: string; to: string; external?: boolean }) {
  const body = (
    <Group wrap="nowrap" align="flex-start">
      <ThemeIcon variant="light" size={40} radius="md">
        {icon}
      </ThemeIcon>
      <div>
        <Text fw={600} size="sm">
          {title}
        </Text>
        <Text size="sm" c="dimmed">
          {text}
        </Text>
      </div>
    </Group>
  );
  return external ? (
    <Card component="a" href={to} target="_blank" rel="noopener" padding="md" className={classes.link}>
      {body}
    </Card>
  ) : (
    <Card component={Link} to={to} padding="md" className={classes.link}>
      {body}
    </Card>
  );
}

export function HomePage() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const ws = me.workspace;
  const can = (p: (typeof me.permissions)[number]) => me.permissions.includes(p);

  return (
    <>
      <PageHeader title={t('home.welcome', { name: me.user.name || me.user.email })} description={t('home.intro')} />
      {!ws || !me.role ? (
        <NoWorkspace />
      ) : (
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <Card data-testid="workspace-card">
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {t('home.workspace')}
              </Text>
              <Title order={3} mb="md" data-testid="home-workspace-name">
                {ws.name}
              </Title>
              <SimpleGrid cols={2} spacing="sm">
                <Fact label={t('home.timeZone')} value={ws.timeZone} />
                <Fact label={t('home.currency')} value={currencyLabel(ws.currency, i18n.language)} />
                <Fact label={t('home.createdAt')} value={formatDate(ws.createdAt, i18n.language, ws.timeZone)} />
              </SimpleGrid>
            </Card>
            <Card data-testid="role-card">
              <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
                {t('home.yourRole')}
              </Text>
              <Group gap="xs" mb={4}>
                <Title order={3} data-testid="home-role">
                  {t(`roles.${me.role}`)}
                </Title>
              </Group>
              <Text size="sm" c="dimmed" mb="sm">
                {t(`roleDescriptions.${me.role}`)}
              </Text>
              <Text size="xs" c="dimmed" tt="uppercase" fw={600} mb={6}>
                {t('home.youCan')}
              </Text>
              <Spoiler maxHeight={46} showLabel={t('common.showAll')} hideLabel={t('common.showLess')} styles={{ control: { fontSize: 'var(--mantine-font-size-sm)' } }}>
                <Group gap={6}>
                  {me.permissions.map((p) => (
                    <Badge key={p} variant="light" color="gray" tt="none" fw={500}>
                      {t(`permissions.${p}`)}
                    </Badge>
                  ))}
                </Group>
              </Spoiler>
            </Card>
            <HealthCard />
          </SimpleGrid>
          <div>
            <Title order={4} mb="sm">
              {t('home.gettingStarted')}
            </Title>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
              {can('members.manage') && (
                <StartLink icon={<IconUsersPlus size={22} />} title={t('home.inviteTeam')} text={t('home.inviteTeamText')} to="/settings/members" />
              )}
              {can('keys.manage') && <StartLink icon={<IconKey size={22} />} title={t('home.createKey')} text={t('home.createKeyText')} to="/settings/api-keys" />}
              <StartLink icon={<IconApi size={22} />} title={t('home.readDocs')} text={t('home.readDocsText')} to="/docs" external />
            </SimpleGrid>
          </div>
        </Stack>
      )}
    </>
  );
}
