import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes a new SQL migration into ./drizzle from the areas' schema files.
export default defineConfig({
  dialect: 'postgresql',
  schema: ['./src/workspaces/schema.ts', './src/worker/schema.ts', './src/customers/schema.ts', './src/events/schema.ts', './src/commerce/schema.ts', './src/sales/schema.ts', './src/analytics/schema.ts', './src/segments/schema.ts', './src/messaging/schema.ts', './src/campaigns/schema.ts', './src/journeys/schema.ts'],
  out: './drizzle',
});
