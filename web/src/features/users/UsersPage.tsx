/**
 * The administrator's page of users: invite one (the account is created with a one-time password
 * the administrator passes on, shown once), change a role, disable or enable. The server keeps one
 * active administrator at least and ends a disabled user's sessions at once.
 */
import { Alert, Badge, Button, Code, Group, Loader, Modal, Pagination, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client.ts';
import { ROLES, type Page, type Role, type User } from '../../api/types.ts';
import { ErrorAlert } from '../../app/errors.tsx';
import { useFormat } from '../../i18n/format.ts';
import { useUser } from '../auth/session.tsx';

const PAGE_SIZE = 50;

/** A one-time password: 16 characters from an alphabet without look-alikes, from the browser's CSPRNG. */
export function oneTimePassword(random: (bytes: Uint8Array) => Uint8Array = (bytes) => crypto.getRandomValues(bytes)): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  // 256 is not a multiple of the alphabet's 55 letters: bytes past the last whole multiple are drawn again.
  const limit = 256 - (256 % alphabet.length);
  let password = '';
  while (password.length < 16) {
    for (const byte of random(new Uint8Array(32))) {
      if (byte < limit && password.length < 16) password += alphabet[byte % alphabet.length];
    }
  }
  return password;
}

export function UsersPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const me = useUser();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const users = useQuery({
    queryKey: ['users', page, q],
    queryFn: ({ signal }) => api<Page<User>>('/api/v1/users', { query: { page, pageSize: PAGE_SIZE, q: q.trim() || undefined }, signal }),
    placeholderData: keepPreviousData,
  });
  const change = useMutation({
    mutationFn: (input: { user: User; changes: Partial<Pick<User, 'role' | 'active'>> }) =>
      api<User>(`/api/v1/users/${input.user.id}`, { method: 'PATCH', body: { ...input.changes, version: input.user.version } }),
    // The changed user replaces the listed one at once, so that the next change carries the new version.
    onSuccess: (saved) => {
      queryClient.setQueryData<Page<User>>(['users', page, q], (current) => current && { ...current, items: current.items.map((user) => (user.id === saved.id ? saved : user)) });
    },
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['directory'] });
    },
  });
  const [inviting, setInviting] = useState(false);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1}>{t('users.title')}</Title>
        <Button onClick={() => setInviting(true)}>{t('users.invite')}</Button>
      </Group>
      <TextInput label={t('users.search')} value={q} onChange={(event) => { setQ(event.currentTarget.value); setPage(1); }} w={280} />
      <ErrorAlert error={users.error ?? change.error} />
      {users.isPending ? <Loader aria-label={t('app.loading')} /> : users.data && (
        <>
          <Table striped aria-label={t('users.title')}>
            <Table.Thead>
              <Table.Tr><Table.Th>{t('users.name')}</Table.Th><Table.Th>{t('auth.email')}</Table.Th><Table.Th>{t('users.role')}</Table.Th><Table.Th>{t('users.active')}</Table.Th><Table.Th>{t('users.since')}</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.data.items.map((user) => (
                <Table.Tr key={user.id}>
                  <Table.Td>{user.name}{user.id === me.id && <Badge size="xs" ml={6}>{t('users.you')}</Badge>}</Table.Td>
                  <Table.Td>{user.email}</Table.Td>
                  <Table.Td>
                    <Select aria-label={t('users.roleOf', { name: user.name })} size="xs" w={220} value={user.role} allowDeselect={false} disabled={change.isPending}
                      data={ROLES.map((role) => ({ value: role, label: t(`roles.${role}`) }))}
                      onChange={(role) => role !== null && role !== user.role && change.mutate({ user, changes: { role: role as Role } })} />
                  </Table.Td>
                  <Table.Td>
                    <Switch aria-label={t('users.activeOf', { name: user.name })} checked={user.active} disabled={change.isPending}
                      onChange={(event) => change.mutate({ user, changes: { active: event.currentTarget.checked } })} />
                  </Table.Td>
                  <Table.Td>{format.date(user.createdAt)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Pagination total={Math.max(1, Math.ceil(users.data.total / PAGE_SIZE))} value={page} onChange={setPage}
            getControlProps={(control) => ({ 'aria-label': t(`accounts.pagination.${control}`) })} />
        </>
      )}
      <InviteModal opened={inviting} onClose={() => setInviting(false)} />
    </Stack>
  );
}

function InviteModal({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('kam');
  const invite = useMutation({
    mutationFn: (input: { name: string; email: string; role: Role; password: string }) =>
      api<User>('/api/v1/users', { method: 'POST', body: input }).then((user) => ({ user, password: input.password })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      void queryClient.invalidateQueries({ queryKey: ['directory'] });
    },
  });
  function close() {
    invite.reset();
    setName('');
    setEmail('');
    setRole('kam');
    onClose();
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    invite.mutate({ name, email, role, password: oneTimePassword() });
  }
  return (
    <Modal opened={opened} onClose={close} title={t('users.invite')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      {invite.data ? (
        <Stack>
          <Alert color="green" role="status" title={t('users.invited', { name: invite.data.user.name })}>
            {t('users.passwordOnce')} <Code>{invite.data.password}</Code>
          </Alert>
          <Text size="sm">{t('users.passwordHint')}</Text>
          <Button onClick={close}>{t('common.close')}</Button>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            <ErrorAlert error={invite.error} />
            <TextInput label={t('users.name')} required value={name} onChange={(event) => setName(event.currentTarget.value)} />
            <TextInput label={t('auth.email')} type="email" required value={email} onChange={(event) => setEmail(event.currentTarget.value)} />
            <Select label={t('users.role')} value={role} allowDeselect={false} data={ROLES.map((value) => ({ value, label: t(`roles.${value}`) }))} onChange={(value) => value && setRole(value as Role)} />
            <Group><Button type="submit" loading={invite.isPending}>{t('users.create')}</Button><Button variant="default" onClick={close}>{t('common.cancel')}</Button></Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
