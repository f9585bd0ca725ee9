import { defineConfig } from 'vite';

// Node's global, declared here rather than pulling in @types/node for one variable.
declare const process: { env: Record<string, string | undefined> };

// mendd serves dist/ under a strict CSP (script-src 'self', no data: URIs), so everything
// must end up as a same-origin file: no inlined assets, no inline module-preload polyfill.
const devApi = process.env.MEND_DEV_API;

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2020',
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a running mendd: MEND_DEV_API=http://127.0.0.1:8080 npm run dev
    proxy: devApi
      ? { '/api/v1/live': { target: devApi, ws: true }, '/api': { target: devApi } }
      : undefined,
  },
});
