// Import step 1: choose a CSV file (UTF-8, or CP949/EUC-KR as Korean Excel saves it) and upload it.
import { Button, FileInput, Group, Paper, Select, Stack, Text } from '@mantine/core';
import { IconUpload } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useUploadImport, type UploadedImport } from './imports-api.ts';

const ENCODINGS = ['utf-8', 'cp949'] as const;

export function ImportUpload({ onUploaded }: { onUploaded: (imp: UploadedImport) => void }) {
  const { t } = useTranslation();
  const upload = useUploadImport();
  const [file, setFile] = useState<File | null>(null);
  const [encoding, setEncoding] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!file) return;
    upload.mutate({ file, encoding: encoding ?? undefined }, { onSuccess: onUploaded });
  }

  return (
    <Paper withBorder p="lg" component="form" onSubmit={submit} data-testid="import-upload">
      <Stack>
        <Text size="sm" c="dimmed">
          {t('imports.uploadHelp')}
        </Text>
        <FileInput
          label={t('imports.file')}
          placeholder={t('imports.filePlaceholder')}
          accept=".csv,text/csv"
          value={file}
          onChange={setFile}
          clearable
          leftSection={<IconUpload size={16} />}
          data-testid="import-file"
        />
        <Select
          w={260}
          label={t('imports.encoding')}
          placeholder={t('imports.encodingAuto')}
          data={ENCODINGS.map((e) => ({ value: e, label: t(`imports.encodings.${e === 'utf-8' ? 'utf8' : e}`) }))}
          value={encoding}
          onChange={setEncoding}
          clearable
        />
        <Group justify="flex-end">
          <Button type="submit" disabled={!file} loading={upload.isPending} leftSection={<IconUpload size={16} />} data-testid="import-upload-submit">
            {t('imports.upload')}
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
