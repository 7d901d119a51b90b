// What the HTTP app and every area's routes share: the dependencies passed to each
// register…Routes and the Fastify instance type. Apart from app.ts, so the routes can import
// them without importing the app that imports the routes.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { Database } from '../db/connection.ts';

export type AppDeps = { database: Database; config: Config };
export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;
