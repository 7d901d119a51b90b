// Invite a person by e-mail with a role; the link to send them is shown once. They become a
// member only when they open it and accept.
import { Alert, Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CopyableCode } from '../app/CopyableCode.tsx';
import { useInvite, type CreatedInvitation } from './api.ts';
import type { Role } from './roles.ts';

type Props = { opened: boolean; onClose: () => void; roles: Role[] };

/** The link as the invitee will open it: relative links (no RAPPORT_PUBLIC_URL) get this page's origin. */
function absolute(url: string): string {
  return url.startsWith('/') ? `${window.location.origin}${url}` : url;
}

export function InviteMemberModal({ opened, onClose, roles }: Props) {
  const { t } = useTranslation();
  const invite = useInvite();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('viewer') ? 'viewer' : (roles.at(-1) ?? 'viewer'));
  const [created, setCreated] = useState<CreatedInvitation | null>(null);

  function close() {
    onClose();
  }

  // Cleared once the modal has faded out, so it does not flash the empty form while closing.
  function clear() {
    setEmail('');
    setCreated(null);
    invite.reset();
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ email: email.trim(), role }, { onSuccess: setCreated });
  }

  return (
    <Modal opened={opened} onClose={close} title={created ? t('invitations.linkTitle') : t('invitations.inviteTitle')} closeOnClickOutside={!created} size={created ? 'lg' : 'md'} onExitTransitionEnd={clear}>
      {created ? (
        <Stack data-testid="invitation-link">
          <Text size="sm">{t('invitations.linkHelp', { email: created.email, role: t(`roles.${created.role}`) })}</Text>
          <CopyableCode value={absolute(created.url)} testId="invitation-url" />
          <Group justify="flex-end">
            <Button onClick={close} data-testid="invitation-done">
              {t('invitations.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <Alert color="blue" icon={<IconInfoCircle size={18} />}>
              {t('invitations.inviteHelp')}
            </Alert>
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
            <Select
              label={t('members.role')}
              data={roles.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
              value={role}
              onChange={(v) => v && setRole(v as Role)}
              allowDeselect={false}
              description={t(`roleDescriptions.${role}`)}
              data-testid="invite-role"
            />
            <Group justify="flex-end" mt="xs">
              <Button variant="default" onClick={close}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" loading={invite.isPending} disabled={!email.trim()}>
                {t('invitations.send')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
