// Add a person by e-mail with a role; a first password creates their account if they have none.
import { Button, Group, Modal, PasswordInput, Select, Stack, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { notifySuccess } from '../api/query-client.ts';
import { useAddMember } from './api.ts';
import type { Role } from './roles.ts';

type Props = { opened: boolean; onClose: () => void; roles: Role[] };

export function AddMemberModal({ opened, onClose, roles }: Props) {
  const { t } = useTranslation();
  const add = useAddMember();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('viewer') ? 'viewer' : (roles.at(-1) ?? 'viewer'));
  const [password, setPassword] = useState('');

  function close() {
    setEmail('');
    setName('');
    setPassword('');
    add.reset();
    onClose();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate(
      { email: email.trim(), role, ...(name.trim() ? { name: name.trim() } : {}), ...(password ? { password } : {}) },
      {
        onSuccess: (member) => {
          notifySuccess(t('members.added', { email: member.email, role: t(`roles.${member.role}`) }));
          close();
        },
      },
    );
  }

  return (
    <Modal opened={opened} onClose={close} title={t('members.addTitle')}>
      <form onSubmit={submit}>
        <Stack>
          <TextInput
            label={t('members.email')}
            type="email"
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            required
            maxLength={320}
            data-autofocus
            name="email"
          />
          <TextInput
            label={`${t('members.name')} (${t('common.optional')})`}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            maxLength={200}
            name="name"
          />
          <Select
            label={t('members.role')}
            data={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
            value={role}
            onChange={(v) => v && setRole(v as Role)}
            allowDeselect={false}
            description={t(`roleDescriptions.${role}`)}
            data-testid="add-member-role"
          />
          <PasswordInput
            label={`${t('members.password')} (${t('common.optional')})`}
            description={t('members.passwordHelp')}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="new-password"
            minLength={8}
            name="password"
          />
          <Group justify="flex-end" mt="xs">
            <Button variant="default" onClick={close}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" loading={add.isPending} disabled={!email.trim()}>
              {t('members.add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
