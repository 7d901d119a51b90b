// Test data for web push: subscriptions shaped as a browser's push service makes them.
import crypto from 'node:crypto';

/** Keys as a browser makes them: an uncompressed P-256 public key and 16 random bytes, base64url. */
export function browserKeys(): { p256dh: string; auth: string } {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: crypto.randomBytes(16).toString('base64url') };
}

/** An endpoint of Chrome's push service (FCM), unique per call. */
export const fcmEndpoint = (): string => `https://fcm.googleapis.com/fcm/send/${crypto.randomBytes(12).toString('base64url')}:APA91b${crypto.randomBytes(40).toString('base64url')}`;
