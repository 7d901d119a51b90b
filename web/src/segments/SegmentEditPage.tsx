// Create or edit a segment: name, description, kind, the definition in the builder, the live count.
import { Alert, Button, Grid, Group, SegmentedControl, Stack, Textarea, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError } from '../api/client.ts';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useCreateSegment, usePreview, useSegment, useUpdateSegment, type Segment, type SegmentKind } from './api.ts';
import { LivePreview } from './LivePreview.tsx';
import { asRootGroup, SegmentBuilder } from './SegmentBuilder.tsx';
import { defaultLeaf, definitionErrors, type SegmentDefinition } from './tree.ts';

export function SegmentEditPage() {
  const { id } = useParams();
  const segment = useSegment(id);
  if (id && segment.isPending) return <PageLoader />;
  if (id && segment.isError) return <QueryError error={segment.error} onRetry={() => void segment.refetch()} />;
  return <SegmentForm key={id ?? 'new'} segment={segment.data} />;
}

function SegmentForm({ segment }: { segment?: Segment }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [kind, setKind] = useState<SegmentKind>(segment?.kind ?? 'dynamic');
  const [definition, setDefinition] = useState<SegmentDefinition>(segment?.definition ? asRootGroup(segment.definition) : { and: [defaultLeaf('attribute')] });
  const [debounced] = useDebouncedValue(definition, 400);
  // "Count exactly" holds for the definition as it was when asked (once the preview catches up
  // with it); an edit goes back to the estimate.
  const [exactFor, setExactFor] = useState<string | null>(null);
  const preview = usePreview(kind === 'dynamic' ? debounced : null, exactFor === JSON.stringify(debounced));
  const create = useCreateSegment();
  const update = useUpdateSegment(segment?.id ?? '');
  const save = segment ? update : create;
  const [saveError, setSaveError] = useState<ApiError | null>(null);

  // Errors of the preview are current only for the definition it was asked about.
  const previewError = preview.error instanceof ApiError && preview.error.status === 400 && debounced === definition ? preview.error : null;
  const errors = definitionErrors(saveError ?? previewError);
  const otherError = saveError && definitionErrors(saveError).length === 0 ? saveError : null;

  // A refused save's errors are about the definition as it was; an edit makes them stale.
  function changeDefinition(next: SegmentDefinition) {
    setDefinition(next);
    setSaveError(null);
  }

  function submit() {
    setSaveError(null);
    const body = { name: name.trim(), description: description.trim() || null, ...(kind === 'dynamic' ? { definition } : {}) };
    const done = (s: Segment) => {
      notifySuccess(t('segments.edit.saved'));
      navigate(`/segments/${s.id}`);
    };
    const fail = (err: unknown) => setSaveError(err instanceof ApiError ? err : new ApiError(0, 'error', errorMessage(err)));
    if (segment) update.mutate(body, { onSuccess: done, onError: fail });
    else create.mutate({ ...body, kind }, { onSuccess: done, onError: fail });
  }

  return (
    <Stack>
      <PageHeader
        title={segment ? t('segments.edit.editTitle', { name: segment.name }) : t('segments.edit.newTitle')}
        actions={
          <Group gap="xs">
            <Button variant="default" onClick={() => navigate(segment ? `/segments/${segment.id}` : '/segments')}>
              {t('common.cancel')}
            </Button>
            <Button onClick={submit} loading={save.isPending} disabled={!name.trim()} data-testid="segment-save">
              {t('common.save')}
            </Button>
          </Group>
        }
      />
      {otherError && (
        <Alert color="red" role="alert" data-testid="segment-save-error">
          {errorMessage(otherError)}
        </Alert>
      )}
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack>
            <TextInput label={t('segments.edit.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} required maxLength={200} data-testid="segment-name" />
            <Textarea label={t('segments.edit.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={1} maxLength={2000} />
            {!segment && (
              <SegmentedControl
                value={kind}
                onChange={(k) => setKind(k as SegmentKind)}
                data={[
                  { value: 'dynamic', label: t('segments.kinds.dynamic') },
                  { value: 'static', label: t('segments.kinds.static') },
                ]}
                data-testid="segment-kind"
              />
            )}
            {kind === 'dynamic' ? (
              <SegmentBuilder value={definition} onChange={changeDefinition} errors={errors} selfId={segment?.id} />
            ) : (
              <Alert color="blue">{t('segments.edit.staticHelp')}</Alert>
            )}
          </Stack>
        </Grid.Col>
        {kind === 'dynamic' && (
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <div style={{ position: 'sticky', top: 80 }}>
              <LivePreview data={previewError ? undefined : preview.data} fetching={preview.isFetching} failed={Boolean(previewError)} onExact={() => setExactFor(JSON.stringify(definition))} />
            </div>
          </Grid.Col>
        )}
      </Grid>
    </Stack>
  );
}
