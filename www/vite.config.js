import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2019', sourcemap: false },
  server: { proxy: { '/api': process.env.ZM_URL || 'http://127.0.0.1:8080' } },
});
