// Server state of the messaging pages: templates and their versions, channels and the sending
// rules, the message log and its stats, the Sandbox inbox (src/messaging/*routes.ts). Query keys
// start with the workspace id, so switching workspace never shows another's messages.
import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from '../api/client.ts';
import { useWorkspaceId } from '../customers/api.ts';
import type { ChannelKind, MessagePurpose, MessageStatus, ProviderName } from '../../../src/messaging/types.ts';

export type { ChannelKind, MessagePurpose, MessageStatus, ProviderName };

export type TemplateFormat = 'mjml' | 'html' | 'text' | 'json';
export type TemplateVersion = {
  version: number;
  subject: string | null;
  body: string;
  format: TemplateFormat;
  options: Record<string, unknown>;
  createdByLabel: string | null;
  createdAt: string;
};
export type Template = {
  id: string;
  name: string;
  kind: ChannelKind;
  purpose: MessagePurpose;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
  /** "Spring sale (v3)". */
  label?: string;
  /** One template's answer carries its latest version (the list leaves it out). */
  version?: TemplateVersion;
};
export type TemplateInput = { name: string; kind: ChannelKind; purpose: MessagePurpose; subject?: string | null; body: string; format: TemplateFormat; options?: Record<string, unknown> };
export type ValidationError = { field: string; message: string };
export type SmsEstimate = { bytes: number; type: 'SMS' | 'LMS' | null; unencodable?: string[]; titleBytes?: number };
/** The editor's live check: errors (and warnings) by field, and the size of an SMS rendered for a sample customer. */
export type Validation = {
  ok: boolean;
  errors?: ValidationError[];
  warnings?: ValidationError[];
  estimate?: { sms?: SmsEstimate; kakao?: { characters: number } };
  sms?: SmsEstimate | null;
  kakao?: { characters: number } | null;
  bytes?: number | null;
  type?: 'SMS' | 'LMS' | null;
};

/** The SMS size of a check's answer, whether it came as estimate.sms or as bytes and type. */
export function smsEstimate(v: Validation | undefined): SmsEstimate | null {
  if (!v) return null;
  if (v.sms) return v.sms;
  if (v.estimate?.sms) return v.estimate.sms;
  return typeof v.bytes === 'number' ? { bytes: v.bytes, type: v.type ?? null } : null;
}
export type KakaoButton = { name: string; type?: string; linkMo?: string; linkPc?: string };
/** A template rendered for one customer, per kind; `errors` say what could not be filled in. */
export type Preview = {
  template: { id: string; name: string; label: string; version: number; kind: ChannelKind; purpose: MessagePurpose };
  customer: { id: string; name: string | null; grade: string | null };
  masked: boolean;
  subject: string | null;
  html: string | null;
  text: string | null;
  title: string | null;
  sms: SmsEstimate | null;
  kakao: { type: string | null; characters: number; buttons: KakaoButton[] } | null;
  push: { title: string; body: string; url: string | null; icon: string | null } | null;
  json: Record<string, unknown> | null;
  errors: ValidationError[];
};

export type Channel = {
  id: string;
  kind: ChannelKind;
  provider: ProviderName;
  name: string;
  settings: Record<string, unknown>;
  secretsSet: Record<string, boolean>;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
  archivedAt: string | null;
};
export type ChannelInput = { kind: ChannelKind; provider: ProviderName; name: string; settings: Record<string, unknown>; secrets: Record<string, string>; isDefault?: boolean };
export type ChannelPatch = { name?: string; settings?: Record<string, unknown | null>; secrets?: Record<string, string | null>; isDefault?: boolean };
export type Cap = { purpose: MessagePurpose; channel: ChannelKind | null; per: 'day' | 'week'; max: number };
export type MessagingSettings = {
  senderName: string | null;
  optOutNumber: string | null;
  /** HH:MM, in the customer's time zone. */
  quietHours: { start: string; end: string };
  nightPolicy: 'defer' | 'skip';
  caps: Cap[];
  bestHour: number | null;
  updatedAt?: string | null;
};
export type MessagingSettingsInput = Omit<MessagingSettings, 'updatedAt'>;

export type Message = {
  id: string;
  status: MessageStatus;
  /** Why it was suppressed, deferred or failed. */
  reason: string | null;
  sendAt: string;
  timing: string;
  kind: ChannelKind;
  channelId: string;
  purpose: MessagePurpose;
  lane: string;
  customerId: string | null;
  customerName: string | null;
  /** The address; masked for roles without pii.read. */
  to: string | null;
  templateId: string | null;
  templateName: string | null;
  templateVersion: number | null;
  idempotencyKey: string;
  origin: string;
  originId: string | null;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
  deliveredAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
};
export type HistoryEntry = { status: MessageStatus; reason: string | null; detail: Record<string, unknown> | null; at: string };
export type MessageDetail = Message & { content: Record<string, unknown> | null; providerMessageId: string | null; history: HistoryEntry[] };
export type MessagePage = { items: Message[]; nextCursor: string | null };
export type MessageFilter = { customerId?: string; status?: MessageStatus; channel?: ChannelKind };
export type SendInput = {
  customerId?: string;
  to?: string;
  channel: string;
  templateId?: string;
  content?: { subject?: string; body: string; format?: TemplateFormat; title?: string };
  data?: Record<string, unknown>;
  purpose: MessagePurpose;
  sendAt?: string;
  idempotencyKey: string;
};

export type Counts = { sent: number; delivered: number; opened: number; clicked: number; bounced: number; suppressed: number; failed: number };
/** Days (YYYY-MM-DD) are in the workspace's time zone. */
export type Stats = { from: string; to: string; timeZone: string; totals: Counts; byChannel: (Counts & { kind: ChannelKind })[]; byDay: (Counts & { day: string })[] };

export type SandboxItem = {
  id: string;
  messageId: string | null;
  kind: ChannelKind;
  to: string;
  from: string | null;
  /** E-mail subject, LMS or push title; else null. */
  subject: string | null;
  /** The subject, or the first line of the text. */
  preview: string;
  receivedAt: string;
};
export type SandboxMessage = SandboxItem & { html: string | null; text: string | null; raw: string | null; headers: Record<string, unknown> | null; meta: Record<string, unknown> };

const enc = encodeURIComponent;
export const templatePath = (id: string, rest = '') => `/api/templates/${enc(id)}${rest}`;
export const channelPath = (id: string, rest = '') => `/api/channels/${enc(id)}${rest}`;

export const messagingKeys = {
  templates: (ws: string) => ['ws', ws, 'templates'] as const,
  template: (ws: string, id: string) => ['ws', ws, 'templates', 'one', id] as const,
  versions: (ws: string, id: string) => ['ws', ws, 'templates', 'versions', id] as const,
  channels: (ws: string) => ['ws', ws, 'channels'] as const,
  settings: (ws: string) => ['ws', ws, 'messaging-settings'] as const,
  messages: (ws: string) => ['ws', ws, 'messages'] as const,
  sandbox: (ws: string) => ['ws', ws, 'sandbox'] as const,
};

/** Lists may come as { items } or as an array, depending on the route's age. */
function itemsOf<T>(body: unknown, key = 'items'): T[] {
  if (Array.isArray(body)) return body as T[];
  const value = (body as Record<string, unknown> | null)?.[key];
  return Array.isArray(value) ? (value as T[]) : [];
}

// --- templates -------------------------------------------------------------------------------

export function useTemplates(kind?: ChannelKind) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: [...messagingKeys.templates(ws), 'list', kind ?? ''],
    queryFn: ({ signal }) => api<unknown>(`/api/templates${query({ kind })}`, { signal }).then((b) => itemsOf<Template>(b)),
  });
}

export function useTemplate(id: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: messagingKeys.template(ws, id ?? ''), queryFn: ({ signal }) => api<Template>(templatePath(id!), { signal }), enabled: Boolean(id) });
}

export function useTemplateVersions(id: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: messagingKeys.versions(ws, id ?? ''),
    queryFn: ({ signal }) => api<unknown>(templatePath(id!, '/versions'), { signal }).then((b) => itemsOf<TemplateVersion>(b)),
    enabled: Boolean(id),
  });
}

/**
 * What the editor holds, checked by the server as it is typed (SMS bytes for `customerId` when
 * given, else for a sample customer); `input` null while there is nothing to check.
 */
export function useValidation(input: (Pick<TemplateInput, 'kind' | 'format' | 'subject' | 'body' | 'options' | 'purpose'> & { customerId?: string }) | null) {
  const ws = useWorkspaceId();
  const key = input ? JSON.stringify(input) : '';
  return useQuery({
    queryKey: ['ws', ws, 'templates', 'validate', key],
    queryFn: ({ signal }) => api<Validation>('/api/templates/validate', { method: 'POST', body: input, signal }),
    enabled: input !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 60_000,
  });
}

export function useTemplatePreview(id: string | undefined, customerId: string | undefined, version: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'templates', 'preview', id ?? '', customerId ?? '', version ?? 0],
    queryFn: ({ signal }) => api<Preview>(templatePath(id!, '/preview'), { method: 'POST', body: { customerId }, signal }),
    enabled: Boolean(id && customerId),
    retry: false,
  });
}

function useInvalidating<V, R>(fn: (v: V) => Promise<R>, key: (ws: string) => readonly unknown[], silent = false) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, meta: silent ? { silent: true } : undefined, onSuccess: () => void client.invalidateQueries({ queryKey: key(ws) }) });
}

export const useCreateTemplate = () => useInvalidating((input: TemplateInput) => api<Template>('/api/templates', { method: 'POST', body: input }), messagingKeys.templates, true);
/** A change: the kind of a template never changes, so it is not sent. */
export const useUpdateTemplate = (id: string) =>
  useInvalidating(({ kind: _kind, ...change }: TemplateInput) => api<Template>(templatePath(id), { method: 'PUT', body: change }), messagingKeys.templates, true);
export const useArchiveTemplate = () => useInvalidating((id: string) => api<unknown>(templatePath(id), { method: 'DELETE' }), messagingKeys.templates);

// --- channels and rules ----------------------------------------------------------------------

export function useChannels() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: messagingKeys.channels(ws), queryFn: ({ signal }) => api<{ items: Channel[] }>('/api/channels', { signal }).then((b) => b.items) });
}

export const useCreateChannel = () =>
  useInvalidating((input: ChannelInput) => api<Channel & { generatedSecrets: Record<string, string> }>('/api/channels', { method: 'POST', body: input }), messagingKeys.channels, true);
export const useUpdateChannel = () =>
  useInvalidating(({ id, patch }: { id: string; patch: ChannelPatch }) => api<Channel>(channelPath(id), { method: 'PATCH', body: patch }), messagingKeys.channels, true);
export const useArchiveChannel = () => useInvalidating((id: string) => api<unknown>(channelPath(id), { method: 'DELETE' }), messagingKeys.channels);

export function useTestChannel() {
  return useMutation({ meta: { silent: true }, mutationFn: ({ id, to }: { id: string; to?: string }) => api<SendResult>(channelPath(id, '/test'), { method: 'POST', body: to ? { to } : {} }) });
}

export function useMessagingSettings() {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: messagingKeys.settings(ws), queryFn: ({ signal }) => api<MessagingSettings>('/api/messaging/settings', { signal }) });
}

export const useSaveMessagingSettings = () =>
  useInvalidating((input: MessagingSettingsInput) => api<MessagingSettings>('/api/messaging/settings', { method: 'PUT', body: input }), messagingKeys.settings, true);

// --- messages --------------------------------------------------------------------------------

export const MESSAGES_PAGE_SIZE = 50;

export function useMessages(filter: MessageFilter) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: [...messagingKeys.messages(ws), 'list', filter],
    queryFn: ({ pageParam, signal }) => api<MessagePage>(`/api/messages${query({ ...filter, cursor: pageParam, limit: MESSAGES_PAGE_SIZE })}`, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    // Statuses move on their own (queued → sent → delivered): the first page follows them.
    refetchInterval: 5_000,
  });
}

export function useMessage(id: string | null) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: [...messagingKeys.messages(ws), 'one', id ?? ''],
    queryFn: ({ signal }) => api<MessageDetail>(`/api/messages/${enc(id!)}`, { signal }),
    enabled: Boolean(id),
    refetchInterval: 5_000,
  });
}

export function useStats(range: { from: string; to: string }) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: [...messagingKeys.messages(ws), 'stats', range.from, range.to],
    queryFn: ({ signal }) => api<Stats>(`/api/messaging/stats${query(range)}`, { signal }),
    staleTime: 60_000,
  });
}

/** POST /api/messages: the message, and whether its idempotency key had already been used. */
export type SendResult = Message & { replayed: boolean };

export function useSendMessage() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    meta: { silent: true },
    mutationFn: (input: SendInput) => api<SendResult>('/api/messages', { method: 'POST', body: input }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: messagingKeys.messages(ws) });
      void client.invalidateQueries({ queryKey: messagingKeys.sandbox(ws) });
    },
  });
}

// --- sandbox ---------------------------------------------------------------------------------

export function useSandboxMessages() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: [...messagingKeys.sandbox(ws), 'list'],
    queryFn: ({ signal }) => api<{ items: SandboxItem[]; nextCursor: string | null }>(`/api/sandbox/messages${query({ limit: 100 })}`, { signal }).then((b) => b.items),
    // New messages arrive from the worker: the inbox follows.
    refetchInterval: 3_000,
  });
}

export function useSandboxMessage(id: string | null) {
  const ws = useWorkspaceId();
  return useQuery({ queryKey: [...messagingKeys.sandbox(ws), 'one', id ?? ''], queryFn: ({ signal }) => api<SandboxMessage>(`/api/sandbox/messages/${enc(id!)}`, { signal }), enabled: Boolean(id) });
}

export const useClearSandbox = () => useInvalidating(() => api<{ deleted: number }>('/api/sandbox/messages', { method: 'DELETE' }), messagingKeys.sandbox);
