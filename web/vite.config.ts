/**
 * The web app's build (`npm run build:web`, and `npm start` when web/dist is missing or older than
 * its sources) and its development server (`npm run dev`, which proxies the API to `kamerton serve`).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // The bundles are served with the app and never change under one name (hashed file names).
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: process.env.KAMERTON_API_URL ?? 'http://127.0.0.1:3000', changeOrigin: false } },
  },
});
