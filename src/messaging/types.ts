// The messaging area's shared vocabulary: channel kinds, purposes, message statuses, what a
// rendered message looks like per channel, and the one interface every provider implements.
// Everything else in src/messaging/ (templates, gate, providers, delivery, routes) speaks these.

export const CHANNEL_KINDS = ['email', 'sms', 'kakao', 'push', 'webhook'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** Which provider sends a channel's messages. `sandbox` keeps them on this machine (the Sandbox inbox). */
export const PROVIDERS = {
  email: ['smtp', 'sandbox'],
  sms: ['solapi', 'sandbox'],
  kakao: ['solapi', 'sandbox'],
  push: ['webpush', 'sandbox'],
  webhook: ['webhook'],
} as const satisfies Record<ChannelKind, readonly string[]>;
export type ProviderName = 'smtp' | 'sandbox' | 'solapi' | 'webpush' | 'webhook';

export const MESSAGE_PURPOSES = ['marketing', 'transactional'] as const;
export type MessagePurpose = (typeof MESSAGE_PURPOSES)[number];

/** Lanes are claimed separately, so an order confirmation never waits behind a campaign. */
export type Lane = 'transactional' | 'bulk';

export const MESSAGE_STATUSES = [
  'queued',
  'deferred',
  'sending',
  'sent',
  'delivered',
  'bounced',
  'failed',
  'suppressed',
  'opened',
  'clicked',
  'unsubscribed',
  'complained',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Why the gate refused a message (recorded on the message and in its history). */
export const SUPPRESSION_REASONS = [
  'customer_missing',
  'customer_erased',
  'no_address',
  'no_consent',
  'quiet_hours',
  'outside_sending_hours',
  'frequency_cap',
  'suppressed_address',
] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

// --- what a provider is given --------------------------------------------------------------

export type EmailContent = {
  kind: 'email';
  from: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers: List-Unsubscribe, List-Unsubscribe-Post, X-Rapport-Message, … */
  headers: Record<string, string>;
  /** The RFC 5322 Message-ID, `<id@domain>`: the same on every attempt of one message. */
  messageIdHeader: string;
};

/** SMS up to 90 EUC-KR bytes, LMS up to 2,000 with a title. */
export type SmsContent = { kind: 'sms'; type: 'SMS' | 'LMS'; from: string; text: string; title?: string; bytes: number };

export type KakaoButton = { name: string; type: 'WL' | 'AL' | 'BK' | 'MD' | 'DS'; linkMo?: string; linkPc?: string };
export type KakaoContent = {
  kind: 'kakao';
  type: 'alimtalk' | 'friendtalk';
  /** The Kakao channel (플러스친구) id the provider knows the sender by. */
  pfId: string;
  /** AlimTalk only: the provider-approved template code. */
  templateCode?: string;
  text: string;
  buttons: KakaoButton[];
  /** AlimTalk that cannot be delivered goes as this SMS/LMS instead (대체발송). */
  fallback?: SmsContent;
};

export type PushContent = { kind: 'push'; title: string; body: string; url?: string; icon?: string };

export type WebhookContent = { kind: 'webhook'; body: Record<string, unknown> };

export type MessageContent = EmailContent | SmsContent | KakaoContent | PushContent | WebhookContent;

export type Outgoing = {
  workspaceId: string;
  messageId: string;
  /** E-mail address, E.164 phone, push subscription (JSON text) or webhook URL. */
  to: string;
  content: MessageContent;
};

export type SendResult =
  | { ok: true; providerMessageId: string; /** Set when the provider already knows it arrived. */ delivered?: boolean; /** AlimTalk sent as SMS/LMS instead. */ fellBack?: boolean }
  | { ok: false; permanent: boolean; reason: string; code?: string };

/** One small interface per provider: send(message) → provider id | temporary error | permanent error. */
export interface Provider {
  readonly name: ProviderName;
  send(message: Outgoing): Promise<SendResult>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
