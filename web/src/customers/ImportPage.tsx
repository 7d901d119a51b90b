// Import customers from a CSV file: upload, map columns, run (with progress), see the result.
// The import's id sits in the URL, so a reload or the recent list comes back to the same step.
import { Stepper } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { PageHeader } from '../app/PageHeader.tsx';
import { PageLoader, QueryError } from '../app/QueryState.tsx';
import { useAttributeDefs } from './api.ts';
import { ImportMapping } from './ImportMapping.tsx';
import { ImportProgress, ImportSummary } from './ImportResult.tsx';
import { ImportUpload } from './ImportUpload.tsx';
import { isFinished, useImport, useUploadPreview, type CustomerImport } from './imports-api.ts';
import { RecentImports } from './RecentImports.tsx';

function stepOf(imp: CustomerImport | undefined): number {
  if (!imp) return 0;
  if (imp.status === 'uploaded') return 1;
  if (imp.status === 'running') return 2;
  return 3;
}

export function ImportPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const imp = useImport(id);
  const preview = useUploadPreview(id);
  const defs = useAttributeDefs();
  const open = (next: string | null) => setParams(next ? { id: next } : {}, { replace: false });
  const step = id ? stepOf(imp.data) : 0;

  let body;
  if (!id) body = <ImportUpload onUploaded={(uploaded) => open(uploaded.id)} />;
  else if (imp.isPending || defs.isPending) body = <PageLoader />;
  else if (imp.isError) body = <QueryError error={imp.error} onRetry={() => void imp.refetch()} />;
  else if (imp.data.status === 'uploaded') body = <ImportMapping key={imp.data.id} imp={imp.data} preview={preview} defs={defs.data ?? []} onCancel={() => open(null)} />;
  else if (!isFinished(imp.data.status)) body = <ImportProgress imp={imp.data} />;
  else body = <ImportSummary imp={imp.data} onAnother={() => open(null)} />;

  return (
    <>
      <PageHeader title={t('imports.title')} description={t('imports.description')} />
      <Stepper active={step === 3 ? 4 : step} mb="xl" size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={t('imports.steps.upload')} />
        <Stepper.Step label={t('imports.steps.map')} />
        <Stepper.Step label={t('imports.steps.run')} loading={step === 2} />
        <Stepper.Step label={t('imports.steps.result')} />
      </Stepper>
      {body}
      <RecentImports />
    </>
  );
}
