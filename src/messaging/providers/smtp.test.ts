// The SMTP provider against a real smtp-server started here: what arrives is parsed with
// mailparser, its DKIM signature is checked by hand (relaxed/relaxed, RFC 6376), and the
// server's 550 and 451 replies come back as permanent and temporary failures.
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmailContent, Provider } from '../types.ts';
import { createSmtpProvider } from './smtp.ts';
import { stopSmtpThread } from './smtp-thread.ts';

type Received = { from: string; to: string[]; raw: string; user?: string };

function startServer(): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 's3cret') return callback(null, { user: 'mailer' });
      callback(new Error('535 bad credentials'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('gone@')) {
        const error = new Error('5.1.1 <gone@example.com>: user unknown') as Error & { responseCode: number };
        error.responseCode = 550;
        return callback(error);
      }
      if (address.address.startsWith('busy@')) {
        const error = new Error('4.7.1 try again later') as Error & { responseCode: number };
        error.responseCode = 451;
        return callback(error);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
        });
        callback();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.server.address() as AddressInfo).port, received }));
  });
}

// --- a DKIM check written from RFC 6376, so the test does not trust nodemailer's own code ---

function relaxedHeader(line: string): string {
  const index = line.indexOf(':');
  const name = line.slice(0, index).trim().toLowerCase();
  const value = line
    .slice(index + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

function relaxedBody(body: string): string {
  let lines = body.split('\r\n').map((l) => l.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines = lines.slice(0, -1);
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

function verifyDkim(raw: string, publicKey: crypto.KeyObject): { ok: boolean; tags: Record<string, string> } {
  const split = raw.indexOf('\r\n\r\n');
  const headerBlock = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const headers = headerBlock.split(/\r\n(?![ \t])/);
  const signature = headers.find((h) => /^dkim-signature:/i.test(h));
  if (!signature) return { ok: false, tags: {} };
  const tags: Record<string, string> = {};
  for (const part of signature.slice(signature.indexOf(':') + 1).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags[part.slice(0, eq).trim()] = part.slice(eq + 1).replace(/\s+/g, '');
  }
  const bodyHash = crypto.createHash('sha256').update(relaxedBody(body)).digest('base64');
  if (bodyHash !== tags.bh) return { ok: false, tags };
  const used = new Set<number>();
  const signed: string[] = [];
  for (const name of (tags.h ?? '').split(':')) {
    for (let i = headers.length - 1; i >= 0; i--) {
      const header = headers[i] ?? '';
      if (used.has(i) || header.slice(0, header.indexOf(':')).trim().toLowerCase() !== name.toLowerCase()) continue;
      used.add(i);
      signed.push(relaxedHeader(header));
      break;
    }
  }
  const withoutB = relaxedHeader(signature).replace(/(;\s*b=)[^;]*/, '$1');
  const data = `${signed.join('\r\n')}\r\n${withoutB}`;
  const ok = crypto.verify('sha256', Buffer.from(data), publicKey, Buffer.from(tags.b ?? '', 'base64'));
  return { ok, tags };
}

function email(overrides: Partial<EmailContent> = {}): EmailContent {
  return {
    kind: 'email',
    from: '"Rapport Shop" <news@shop.example>',
    replyTo: 'help@shop.example',
    subject: '(광고) 봄 세일',
    html: '<p>안녕하세요 <a href="https://shop.example/sale">세일</a></p>',
    text: '안녕하세요 세일 https://shop.example/sale',
    headers: {
      'List-Unsubscribe': '<https://crm.example/u/tok123>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Rapport-Message': 'm-1',
    },
    messageIdHeader: `<${crypto.randomUUID()}@shop.example>`,
    ...overrides,
  };
}

describe('SMTP provider', () => {
  let smtp: Awaited<ReturnType<typeof startServer>>;
  let provider: Provider;
  const keys = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });

  beforeAll(async () => {
    smtp = await startServer();
    provider = createSmtpProvider(
      { host: '127.0.0.1', port: smtp.port, bounceAddress: 'bounces@mail.shop.example', dkimDomain: 'shop.example', dkimSelector: 'rp1', maxConnections: 2 },
      { user: 'mailer', password: 's3cret', dkimPrivateKey: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    );
  });
  afterAll(async () => {
    await provider.close();
    await new Promise<void>((resolve) => smtp.server.close(() => resolve()));
  });

  it('delivers a signed message with both parts, the unsubscribe headers, its Message-ID and the bounce address as MAIL FROM', async () => {
    const content = email();
    const result = await provider.send({ workspaceId: 'w', messageId: 'm-1', to: 'kim@example.com', content });
    expect(result).toEqual({ ok: true, providerMessageId: content.messageIdHeader });
    const arrived = smtp.received.at(-1)!;
    expect(arrived.from).toBe('bounces@mail.shop.example');
    expect(arrived.to).toEqual(['kim@example.com']);
    expect(arrived.user).toBe('mailer');

    const parsed = await simpleParser(arrived.raw);
    expect(parsed.messageId).toBe(content.messageIdHeader);
    expect(parsed.subject).toBe('(광고) 봄 세일');
    expect(parsed.text?.trim()).toBe(content.text);
    expect(parsed.html).toContain('https://shop.example/sale');
    expect(parsed.from?.value[0]).toMatchObject({ address: 'news@shop.example', name: 'Rapport Shop' });
    expect(parsed.replyTo?.value[0]?.address).toBe('help@shop.example');
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(arrived.raw).toMatch(/^List-Unsubscribe: <https:\/\/crm\.example\/u\/tok123>\r$/m);

    const dkim = verifyDkim(arrived.raw, keys.publicKey);
    expect(dkim.tags).toMatchObject({ d: 'shop.example', s: 'rp1', a: 'rsa-sha256' });
    expect((dkim.tags.h ?? '').toLowerCase().split(':')).toEqual(expect.arrayContaining(['from', 'subject', 'message-id', 'list-unsubscribe']));
    expect(dkim.ok).toBe(true);
    // The check itself can fail: a body changed in transit no longer verifies.
    expect(verifyDkim(arrived.raw.replace(/Content-Type: text\/plain/i, 'Content-Type: text/enriched'), keys.publicKey).ok).toBe(false);
    expect(verifyDkim(arrived.raw.replace(/^Subject: .*$/m, 'Subject: changed'), keys.publicKey).ok).toBe(false);
  });

  it('sends the same Message-ID on a second attempt of the same message', async () => {
    const content = email();
    await provider.send({ workspaceId: 'w', messageId: 'm-2', to: 'lee@example.com', content });
    await provider.send({ workspaceId: 'w', messageId: 'm-2', to: 'lee@example.com', content });
    const ids = await Promise.all(smtp.received.slice(-2).map(async (r) => (await simpleParser(r.raw)).messageId));
    expect(ids).toEqual([content.messageIdHeader, content.messageIdHeader]);
  });

  it('takes a 550 as permanent with the server reply as reason, and a 451 as temporary', async () => {
    const gone = await provider.send({ workspaceId: 'w', messageId: 'm-3', to: 'gone@example.com', content: email() });
    expect(gone).toMatchObject({ ok: false, permanent: true, code: 'recipient_rejected' });
    expect(gone.ok === false && gone.reason).toMatch(/^550 .*user unknown/);
    const busy = await provider.send({ workspaceId: 'w', messageId: 'm-4', to: 'busy@example.com', content: email() });
    expect(busy).toMatchObject({ ok: false, permanent: false });
    expect(busy.ok === false && busy.reason).toMatch(/^451 /);
    // The pool still works after both refusals.
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-5', to: 'park@example.com', content: email() })).toMatchObject({ ok: true });
  });

  it('takes a refused login and an unreachable server as temporary', async () => {
    const wrong = createSmtpProvider({ host: '127.0.0.1', port: smtp.port }, { user: 'mailer', password: 'nope' });
    const refused = await wrong.send({ workspaceId: 'w', messageId: 'm-6', to: 'kim@example.com', content: email() });
    await wrong.close();
    expect(refused).toMatchObject({ ok: false, permanent: false, code: 'auth_failed' });

    const closed = await new Promise<number>((resolve) => {
      const probe = new SMTPServer({ logger: false });
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.server.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const nowhere = createSmtpProvider({ host: '127.0.0.1', port: closed }, {});
    const down = await nowhere.send({ workspaceId: 'w', messageId: 'm-7', to: 'kim@example.com', content: email() });
    await nowhere.close();
    expect(down).toMatchObject({ ok: false, permanent: false });
  });

  it('sends on a thread of its own: a send the thread dies with is a temporary failure, and the next send starts a new thread', async () => {
    // A server that takes the message and never answers the end of DATA: the send is still waiting when the thread goes.
    let stalled!: () => void;
    const arrived = new Promise<void>((resolve) => (stalled = resolve));
    const silent = new SMTPServer({
      authOptional: true,
      logger: false,
      disabledCommands: ['STARTTLS'],
      onData(stream) {
        stream.on('data', () => {});
        stream.on('end', () => stalled());
      },
    });
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.server.address() as AddressInfo).port)));
    const stuck = createSmtpProvider({ host: '127.0.0.1', port, from: 'Shop <news@shop.example.com>' }, {});
    const waiting = stuck.send({ workspaceId: 'w', messageId: 'm-8', to: 'kim@example.com', content: email() });
    await arrived;
    await stopSmtpThread();
    expect(await waiting).toMatchObject({ ok: false, permanent: false, code: 'thread' });
    await stuck.close();
    silent.close();
    // The provider made before the restart opens its transport again on the new thread.
    const before = smtp.received.length;
    expect(await provider.send({ workspaceId: 'w', messageId: 'm-9', to: 'park@example.com', content: email() })).toMatchObject({ ok: true });
    expect(smtp.received.length).toBe(before + 1);
  });
});
