// Vite config of the web UI. `npm run build:web` writes dist/web (served by `rapport serve`);
// `npm run dev` serves web/ with hot reload and proxies the API to the server on port 3000.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import postcssPresetMantine from 'postcss-preset-mantine';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.RAPPORT_API_URL ?? 'http://localhost:3000';

export default defineConfig({
  root,
  plugins: [react()],
  css: { postcss: { plugins: [postcssPresetMantine()] } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(['/api', '/v1', '/docs', '/t.js'].map((path) => [path, { target: api, changeOrigin: false }])),
  },
});
