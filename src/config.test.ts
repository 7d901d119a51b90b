import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_DEMO_CUSTOMERS, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/data')).toBe(true);
    expect(c.demo).toBe(true);
    expect(c.demoCustomers).toBe(DEFAULT_DEMO_CUSTOMERS);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://u:p@db:5432/rapport',
      RAPPORT_DATA_DIR: '/var/lib/rapport',
      RAPPORT_DEMO: '0',
      RAPPORT_DEMO_CUSTOMERS: '500',
      RAPPORT_ADMIN_EMAIL: 'Boss@Example.com',
      RAPPORT_ADMIN_PASSWORD: 'longenough',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u:p@db:5432/rapport',
      dataDir: '/var/lib/rapport',
      demo: false,
      demoCustomers: 500,
      adminEmail: 'boss@example.com',
      adminPassword: 'longenough',
    });
  });

  it('trusts proxy headers only when told: a hop count or a list of addresses and ranges', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ RAPPORT_TRUST_PROXY: '0' }).trustProxy).toBe(false);
    expect(loadConfig({ RAPPORT_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ RAPPORT_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1, ::1/128, loopback' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1', '::1/128', 'loopback']);
  });

  it('reads the public address without a trailing slash', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ RAPPORT_PUBLIC_URL: 'https://crm.example.com/' }).publicUrl).toBe('https://crm.example.com');
    expect(loadConfig({ RAPPORT_PUBLIC_URL: 'https://example.com/crm/' }).publicUrl).toBe('https://example.com/crm');
  });

  it.each([
    ['PORT', 'abc', /PORT: must be a whole number/],
    ['PORT', '70000', /PORT: must be between 0 and 65535/],
    ['DATABASE_URL', 'mysql://x@y/z', /DATABASE_URL: must start with postgres:\/\//],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: is not a valid URL/],
    ['RAPPORT_DEMO', 'maybe', /RAPPORT_DEMO: must be 1\/0/],
    ['RAPPORT_DEMO_CUSTOMERS', 'lots', /RAPPORT_DEMO_CUSTOMERS: must be a whole number/],
    ['RAPPORT_DEMO_CUSTOMERS', '2000000', /RAPPORT_DEMO_CUSTOMERS: must be between 0 and 1000000/],
    ['RAPPORT_ADMIN_EMAIL', 'nobody', /RAPPORT_ADMIN_EMAIL: is not an e-mail address/],
    ['RAPPORT_ADMIN_PASSWORD', 'short', /RAPPORT_ADMIN_PASSWORD: must be at least 8 characters/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: must be one of/],
    ['HOST', 'bad host!', /HOST: is not a host name/],
    ['RAPPORT_TRUST_PROXY', 'true', /RAPPORT_TRUST_PROXY: "true" would believe any client's headers/],
    ['RAPPORT_TRUST_PROXY', '10.0.0.0/33', /RAPPORT_TRUST_PROXY: "10.0.0.0\/33" is not/],
    ['RAPPORT_TRUST_PROXY', 'proxy.local', /RAPPORT_TRUST_PROXY: "proxy.local" is not/],
    ['RAPPORT_TRUST_PROXY', '99', /RAPPORT_TRUST_PROXY: must be between 0 and 32/],
    ['RAPPORT_PUBLIC_URL', 'crm.example.com', /RAPPORT_PUBLIC_URL: is not a URL/],
    ['RAPPORT_PUBLIC_URL', 'ftp://crm.example.com', /RAPPORT_PUBLIC_URL: must start with https:\/\//],
    ['RAPPORT_PUBLIC_URL', 'https://crm.example.com/?x=1', /RAPPORT_PUBLIC_URL: must be a plain address/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    let caught: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(name);
    expect((caught as Error).message).toMatch(message);
  });
});
