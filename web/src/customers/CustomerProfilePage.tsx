// One customer: fields and attributes, consent, preferences, timeline and notes; identities,
// likely duplicates (with merge) and past merges (with undo) beside them.
import { Alert, Anchor, Grid, Stack, Tabs } from '@mantine/core';
import { IconArrowLeft, IconGitMerge } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { CustomerAnalyticsPanel } from '../analytics/CustomerAnalyticsPanel.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan } from '../auth/session.ts';
import { useAttributeDefs, useCustomer, type Merge } from './api.ts';
import { mergedInto } from './api-errors.ts';
import { ConsentPanel } from './ConsentPanel.tsx';
import { DuplicatesPanel } from './DuplicatesPanel.tsx';
import { IdentitiesPanel } from './IdentitiesPanel.tsx';
import { JustMerged, MergesPanel } from './MergesPanel.tsx';
import { MetricsPanel } from './MetricsPanel.tsx';
import { NotesPanel } from './NotesPanel.tsx';
import { PreferencesPanel } from './PreferencesPanel.tsx';
import { ProfileDetails } from './ProfileDetails.tsx';
import { ProfileHeader } from './ProfileHeader.tsx';
import { TimelinePanel } from './TimelinePanel.tsx';

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/customers" size="sm" mb="sm" display="inline-flex" style={{ alignItems: 'center', gap: 4 }}>
      <IconArrowLeft size={14} /> {t('profile.back')}
    </Anchor>
  );
}

export function CustomerProfilePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const can = useCan();
  const customer = useCustomer(id);
  const defs = useAttributeDefs();
  const [justMerged, setJustMerged] = useState<Merge | null>(null);
  const canEdit = can('customers.write');

  if (customer.isPending) return <PageLoader />;
  if (customer.isError) {
    const survivor = mergedInto(customer.error);
    return (
      <>
        <BackLink />
        {survivor ? (
          <Alert color="blue" icon={<IconGitMerge size={18} />} title={t('profile.mergedTitle')} data-testid="merged-away">
            <Anchor component={Link} to={`/customers/${survivor}`}>
              {t('profile.openSurvivor')}
            </Anchor>
          </Alert>
        ) : (
          <QueryError error={customer.error} onRetry={() => void customer.refetch()} />
        )}
      </>
    );
  }
  const c = customer.data;
  const attributeDefs = defs.data ?? [];

  return (
    <>
      <BackLink />
      <ProfileHeader customer={c} />
      {justMerged && <JustMerged merge={justMerged} onDismiss={() => setJustMerged(null)} />}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <Tabs defaultValue="details" keepMounted={false}>
            <Tabs.List mb="md">
              <Tabs.Tab value="details">{t('profile.tabs.details')}</Tabs.Tab>
              <Tabs.Tab value="consent" data-testid="tab-consent">
                {t('profile.tabs.consent')}
              </Tabs.Tab>
              <Tabs.Tab value="preferences" data-testid="tab-preferences">
                {t('profile.tabs.preferences')}
              </Tabs.Tab>
              <Tabs.Tab value="timeline" data-testid="tab-timeline">
                {t('profile.tabs.timeline')}
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="details">
              <Stack gap="lg">
                <ProfileDetails customer={c} defs={attributeDefs} canEdit={canEdit} />
                <NotesPanel customerId={c.id} canEdit={canEdit} />
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="consent">
              <ConsentPanel customerId={c.id} canEdit={canEdit} />
            </Tabs.Panel>
            <Tabs.Panel value="preferences">
              <PreferencesPanel customerId={c.id} preferences={c.preferences} canEdit={canEdit} />
            </Tabs.Panel>
            <Tabs.Panel value="timeline">
              <TimelinePanel customerId={c.id} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Stack gap="lg">
            <CustomerAnalyticsPanel customerId={c.id} />
            <MetricsPanel customerId={c.id} />
            <DuplicatesPanel customer={c} defs={attributeDefs} canEdit={canEdit} onMerged={setJustMerged} />
            <IdentitiesPanel customerId={c.id} identities={c.identities} canEdit={canEdit} />
            <MergesPanel customerId={c.id} canEdit={canEdit} />
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
