// The SMTP sender thread's side (started by smtp-thread.ts): nodemailer's pooled transports, one
// per channel and lane, building, encoding (and DKIM-signing) each message and writing it to the
// SMTP server, so that work, most of an e-mail's cost, does not take the dispatcher's event loop.
// Plain JavaScript: a worker thread starts without the TypeScript loader the application runs with.
//
// Messages from the main thread: { type: 'open', id, options } (nodemailer transport options),
// { type: 'send', id, seq, mail } (nodemailer message fields), { type: 'close', id }.
// Answers: { seq } when the server accepted the message, { seq, error: { message, code,
// responseCode, response, command } } when it did not (the main thread classifies it).
import { parentPort } from 'node:worker_threads';
import nodemailer from 'nodemailer';

const transports = new Map();

const errorFields = (err) => ({
  message: err instanceof Error ? err.message : String(err),
  code: err?.code,
  responseCode: err?.responseCode,
  response: err?.response,
  command: err?.command,
});

parentPort.on('message', (m) => {
  if (m.type === 'open') {
    transports.get(m.id)?.close();
    transports.set(m.id, nodemailer.createTransport(m.options));
  } else if (m.type === 'close') {
    transports.get(m.id)?.close();
    transports.delete(m.id);
  } else if (m.type === 'send') {
    const transport = transports.get(m.id);
    if (!transport) {
      parentPort.postMessage({ seq: m.seq, error: { message: 'the SMTP transport was closed', code: 'closed' } });
      return;
    }
    transport.sendMail(m.mail).then(
      () => parentPort.postMessage({ seq: m.seq }),
      (err) => parentPort.postMessage({ seq: m.seq, error: errorFields(err) }),
    );
  }
});
