// Vite build of the Gridwork web app. GRIDWORK_WEB_OUT overrides the output directory
// (tests build into their build tree; tools/up.sh builds web/dist).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: process.env.GRIDWORK_WEB_OUT || 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
  },
});
