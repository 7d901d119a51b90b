// Name a new API key and choose its type (and, for a secret key, its role).
import { Button, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateApiKey, type ApiKeyKind, type CreatedApiKey } from './api.ts';
import type { Role } from './roles.ts';

type Props = { opened: boolean; onClose: () => void; roles: Role[]; onCreated: (key: CreatedApiKey) => void };

export function CreateKeyModal({ opened, onClose, roles, onCreated }: Props) {
  const { t } = useTranslation();
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<ApiKeyKind>('secret');
  const [role, setRole] = useState<Role | null>(roles.includes('admin') ? 'admin' : (roles[0] ?? null));

  function close() {
    setName('');
    setKind('secret');
    create.reset();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { kind, name: name.trim(), ...(kind === 'secret' && role ? { role } : {}) },
      {
        onSuccess: (created) => {
          close();
          onCreated(created);
        },
      },
    );
  }

  return (
    <Modal opened={opened} onClose={close} title={t('keys.createTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('keys.name')}
            placeholder={t('keys.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            maxLength={200}
            data-autofocus
            name="name"
          />
          <div>
            <Text size="sm" fw={500} mb={4}>
              {t('keys.kind')}
            </Text>
            <SegmentedControl
              fullWidth
              value={kind}
              onChange={(v) => setKind(v as ApiKeyKind)}
              data={[
                { value: 'secret', label: t('keys.secret') },
                { value: 'write', label: t('keys.write') },
              ]}
              data-testid="key-kind"
            />
            <Text size="xs" c="dimmed" mt={6}>
              {kind === 'secret' ? t('keys.secretHelp') : t('keys.writeHelp')}
            </Text>
          </div>
          {kind === 'secret' && (
            <Select
              label={t('keys.role')}
              data={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              value={role}
              onChange={(v) => v && setRole(v as Role)}
              allowDeselect={false}
              description={role ? t(`roleDescriptions.${role}`) : undefined}
            />
          )}
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name.trim() || (kind === 'secret' && !role)}>
              {t('keys.create')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
