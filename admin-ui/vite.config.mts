import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The dashboard SPA. Built into admin-ui/dist and served by the server under /admin/
 * (server/src/http/spa.ts). `npm run dev:admin` serves it at http://localhost:5173/admin/ and
 * proxies /admin/api to the API (ADMIN_API_URL, default http://localhost:3000), so the session
 * cookie stays first-party.
 *
 * No @vitejs/plugin-react: Vite 8 transforms TS/TSX itself with Oxc; the automatic JSX runtime is
 * configured here (no Fast Refresh, a full reload on change instead).
 */
export default defineConfig({
  root,
  base: '/admin/',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'react' },
  },
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // MUI marks its modules "use client" (a React Server Components hint); meaningless in an SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/admin/api': { target: process.env.ADMIN_API_URL ?? 'http://localhost:3000', changeOrigin: false },
    },
  },
});
