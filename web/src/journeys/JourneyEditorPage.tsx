// One journey: its map (steps and branches on a canvas, a side panel to change the selected step or
// the trigger and settings, the problems to fix before activating), its report, and where a given
// customer is in it. Those who may send messages change it; others look.
import { Alert, Badge, Group, List, Stack, Tabs, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCan } from '../auth/session.ts';
import { useJourney, useJourneyReport, useSaveJourney, type JourneyView } from './api.ts';
import { pathTarget, refusalPath, shapeIssues } from './checks.ts';
import { CustomerLookup } from './CustomerLookup.tsx';
import { DemoClock } from './DemoClock.tsx';
import { EditorView } from './EditorView.tsx';
import { JourneyActions } from './JourneyActions.tsx';
import { issueText } from './problem-text.ts';
import { ReportTab } from './ReportTab.tsx';
import { JourneyStatusBadge } from './StatusBadge.tsx';
import { useDraft } from './use-draft.ts';
import { useNames } from './use-names.ts';

export function JourneyEditorPage() {
  const { id = '' } = useParams();
  const journey = useJourney(id);
  if (journey.isPending) return <PageLoader />;
  if (journey.isError) return <QueryError error={journey.error} onRetry={() => void journey.refetch()} />;
  return <JourneyEditor key={journey.data.id} journey={journey.data} />;
}

function JourneyEditor({ journey }: { journey: JourneyView }) {
  const { t } = useTranslation();
  const readOnly = !useCan()('messaging.write');
  const { draft, dirty, edit, setMeta, saved } = useDraft(journey);
  const [selected, setSelected] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('canvas');
  const [saveError, setSaveError] = useState<string | null>(null);
  const [showIssues, setShowIssues] = useState(false);
  const report = useJourneyReport(journey.id, journey.status === 'active');
  const names = useNames();
  const save = useSaveJourney(journey.id);
  const def = draft.definition;
  const issues = useMemo(() => shapeIssues(def), [def]);

  function submit() {
    setSaveError(null);
    if (issues.length > 0) {
      setShowIssues(true);
      return;
    }
    setShowIssues(false);
    save.mutate(
      { name: draft.name.trim() || journey.name, description: draft.description.trim() || null, definition: def },
      {
        onSuccess: (view) => {
          saved(view);
          notifySuccess(t('journeys.editor.saved'));
        },
        onError: (err) => {
          setSaveError(errorMessage(err));
          // A refusal names its field: show the step it is about.
          const path = err instanceof ApiError ? refusalPath(err.message) : null;
          const target = path ? pathTarget(path) : null;
          if (target?.kind === 'step') setSelected(def.graph.steps[target.index]?.id ?? null);
        },
      },
    );
  }

  return (
    <Stack gap="md">
      <PageHeader
        title={draft.name || journey.name}
        description={draft.description || undefined}
        actions={<JourneyActions journey={journey} dirty={dirty} readOnly={readOnly} saving={save.isPending} onSave={submit} />}
      />
      <Group gap="xs" mt={-12}>
        <JourneyStatusBadge status={journey.status} testId="journey-status" />
        <Text size="sm" c="dimmed" data-testid="journey-version">
          {journey.version > 0 ? t('journeys.editor.live', { version: journey.version }) : t('journeys.editor.notLive')}
        </Text>
        {journey.version > 0 && journey.changedSinceVersion && !dirty && (
          <Badge variant="outline" color="orange" size="sm">
            {t('journeys.editor.changedSince')}
          </Badge>
        )}
        {dirty && (
          <Badge variant="light" color="orange" size="sm" data-testid="journey-unsaved">
            {t('journeys.editor.unsaved')}
          </Badge>
        )}
      </Group>
      <DemoClock />
      {readOnly && (
        <Alert color="gray" p="xs">
          {t('journeys.editor.readOnly')}
        </Alert>
      )}
      {saveError && (
        <Alert color="red" title={t('journeys.editor.saveFailed')} withCloseButton onClose={() => setSaveError(null)} data-testid="journey-save-error">
          {saveError}
        </Alert>
      )}
      {showIssues && issues.length > 0 && (
        <Alert color="red" title={t('journeys.editor.fixBeforeSave')} withCloseButton onClose={() => setShowIssues(false)} data-testid="journey-issues">
          <List size="sm">
            {issues.map((i) => (
              <List.Item key={`${i.path}:${i.code}`}>{issueText(t, i, def)}</List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="canvas" data-testid="tab-canvas">
            {t('journeys.editor.tabs.canvas')}
          </Tabs.Tab>
          <Tabs.Tab value="report" data-testid="tab-report">
            {t('journeys.editor.tabs.report')}
          </Tabs.Tab>
          <Tabs.Tab value="customers" data-testid="tab-customers">
            {t('journeys.editor.tabs.customers')}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="canvas">
          <EditorView
            journey={journey}
            draft={draft}
            dirty={dirty}
            edit={edit}
            setMeta={setMeta}
            readOnly={readOnly}
            selected={selected}
            onSelect={setSelected}
            issues={issues}
            report={report.data}
            names={names}
          />
        </Tabs.Panel>
        <Tabs.Panel value="report">
          <ReportTab report={report} definition={journey.definition} names={names} />
        </Tabs.Panel>
        <Tabs.Panel value="customers">
          <CustomerLookup journey={journey} readOnly={readOnly} />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
