// /invite#<token>: see which workspace and role an invitation offers, and accept it: as the
// logged-in person when that is the invited e-mail, else by logging in or creating the account.
import { Alert, Anchor, Button, Center, Container, Divider, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertCircle, IconMailOpened } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router-dom';
import { errorMessage, notifySuccess } from '../api/query-client.ts';
import { Logo } from '../app/Brand.tsx';
import { ColorSchemeToggle } from '../app/ColorSchemeToggle.tsx';
import { LanguageSwitch } from '../app/LanguageSwitch.tsx';
import { formatDate } from '../i18n/format.ts';
import { forgetInvitationToken, takeInvitationToken, useAcceptInvitation, useInvitationPreview, useRegisterInvitation, type InvitationPreview } from './invitation.ts';
import { FullPageLoader } from './RequireAuth.tsx';
import { useLogout, useMe } from './session.ts';
import classes from './LoginPage.module.css';

export function AcceptInvitationPage() {
  const { t, i18n } = useTranslation();
  const [token] = useState(takeInvitationToken);
  const preview = useInvitationPreview(token);
  const me = useMe();

  if (me.isPending || (token && preview.isPending)) return <FullPageLoader />;

  let body;
  if (!token || preview.isError || !preview.data) {
    body = (
      <Alert color="red" icon={<IconAlertCircle size={18} />} title={t('invitations.invalid')} data-testid="invitation-invalid">
        <Stack gap="sm">
          <Text size="sm">{t('invitations.invalidText')}</Text>
          <Anchor component={Link} to="/login" size="sm">
            {t('invitations.goToLogin')}
          </Anchor>
        </Stack>
      </Alert>
    );
  } else {
    const offer = preview.data;
    const role = t(`roles.${offer.role}`);
    body = (
      <Stack>
        <Text size="sm" data-testid="invitation-offer">
          {offer.invitedBy
            ? t('invitations.invitedBy', { inviter: offer.invitedBy, email: offer.email, role })
            : t('invitations.invited', { email: offer.email, role })}
        </Text>
        <Text size="xs" c="dimmed">
          {t('invitations.expiresOn', { date: formatDate(offer.expiresAt, i18n.language) })}
        </Text>
        <Divider />
        {me.data ? (
          <LoggedIn token={token} offer={offer} email={me.data.user.email} />
        ) : (
          <Register token={token} offer={offer} />
        )}
      </Stack>
    );
  }

  return (
    <div className={classes.page}>
      <Group justify="flex-end" p="md" gap={6}>
        <LanguageSwitch />
        <ColorSchemeToggle />
      </Group>
      <Center style={{ flex: 1 }} pb={80}>
        <Container size={460} w="100%">
          <Stack align="center" gap={6} mb="lg">
            <Logo size={44} />
            <Title order={2} ta="center" data-testid="invitation-title">
              {preview.data ? t('invitations.title', { workspace: preview.data.workspaceName }) : t('invitations.titleGeneric')}
            </Title>
          </Stack>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            {body}
          </Paper>
        </Container>
      </Center>
    </div>
  );
}

function LoggedIn({ token, offer, email }: { token: string; offer: InvitationPreview; email: string }) {
  const { t } = useTranslation();
  const accept = useAcceptInvitation();
  const logout = useLogout();
  const navigate = useNavigate();
  const role = t(`roles.${offer.role}`);

  if (email.toLowerCase() !== offer.email) {
    return (
      <Stack>
        <Alert color="yellow" icon={<IconMailOpened size={18} />}>
          {t('invitations.otherAccount', { email: offer.email, current: email })}
        </Alert>
        <Button variant="default" onClick={() => logout.mutate()} loading={logout.isPending}>
          {t('invitations.logOut')}
        </Button>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm">{t('invitations.signedInAs', { email })}</Text>
      <Button
        onClick={() =>
          accept.mutate(token, {
            onSuccess: () => {
              forgetInvitationToken();
              notifySuccess(t('invitations.joined', { workspace: offer.workspaceName, role }));
              void navigate('/', { replace: true });
            },
          })
        }
        loading={accept.isPending}
        data-testid="accept-invitation"
      >
        {t('invitations.accept')}
      </Button>
    </Stack>
  );
}

function Register({ token, offer }: { token: string; offer: InvitationPreview }) {
  const { t } = useTranslation();
  const register = useRegisterInvitation();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  function submit(event: FormEvent) {
    event.preventDefault();
    register.mutate(
      { token, password, ...(name.trim() ? { name: name.trim() } : {}) },
      {
        onSuccess: () => {
          forgetInvitationToken();
          notifySuccess(t('invitations.joined', { workspace: offer.workspaceName, role: t(`roles.${offer.role}`) }));
          void navigate('/', { replace: true });
        },
      },
    );
  }

  return (
    <Stack>
      <Group gap={6}>
        <Text size="sm">{t('invitations.haveAccount')}</Text>
        <Anchor component={Link} to="/login?next=%2Finvite" size="sm" data-testid="login-to-accept">
          {t('invitations.logInToAccept')}
        </Anchor>
      </Group>
      <form onSubmit={submit}>
        <Stack>
          <Text fw={500}>{t('invitations.createAccount')}</Text>
          {register.error && (
            <Alert color="red" icon={<IconAlertCircle size={18} />} role="alert">
              {errorMessage(register.error)}
            </Alert>
          )}
          <TextInput label={t('members.email')} value={offer.email} readOnly name="email" autoComplete="username" />
          <TextInput label={t('invitations.yourName')} value={name} onChange={(e) => setName(e.currentTarget.value)} maxLength={200} name="name" />
          <PasswordInput
            label={t('invitations.choosePassword')}
            description={t('invitations.passwordHelp')}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            autoComplete="new-password"
            required
            minLength={8}
            name="password"
          />
          <Button type="submit" loading={register.isPending} disabled={password.length < 8} data-testid="register-and-join">
            {t('invitations.join')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
